/**
 * The measured server: `node --import tsx src/server.ts <variant>`, forked by run.ts with an IPC
 * channel. It builds the variant, listens on an ephemeral loopback port and answers the
 * orchestrator's messages; nothing is measured through HTTP, so the measured route is the only
 * one the load generator touches.
 *
 * Messages (parent → child): `{ type: 'stats', id }` → `{ type: 'stats', id, cpu, redisPorts }`,
 * `{ type: 'close' }` → closes the app and exits (which writes a `--cpu-prof` profile).
 * Child → parent: `{ type: 'ready', port }` or `{ type: 'failed', message }`.
 */
import { Socket } from 'node:net'
import { buildApp, findVariant } from './variants.js'

export interface ServerStats {
  /** `process.cpuUsage()`: µs of user and system CPU since the process started, all threads. */
  readonly cpu: NodeJS.CpuUsage
  /** Local ports of the process's sockets to Redis (to tell its commands apart in MONITOR). */
  readonly redisPorts: readonly number[]
  readonly rss: number
}

export type ServerMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string }
  | ({ type: 'stats'; id: number } & ServerStats)

export type ControlMessage = { type: 'stats'; id: number } | { type: 'close' }

function send(message: ServerMessage): void {
  process.send?.(message)
}

/** The sockets this process holds to `redisPort` (undocumented `_getActiveHandles`: measurement only). */
function redisPorts(redisPort: number): number[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()
  const ports: number[] = []
  for (const handle of handles) {
    if (handle instanceof Socket && handle.remotePort === redisPort && handle.localPort !== undefined) {
      ports.push(handle.localPort)
    }
  }
  return ports
}

async function main(): Promise<void> {
  const name = process.argv[2]
  if (name === undefined || process.send === undefined) {
    throw new Error('usage: forked by run.ts with an IPC channel: server.ts <variant>')
  }
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const keyPrefix = process.env.BENCH_KEY_PREFIX ?? `bench:${process.pid}:`
  const redisPort = Number(new URL(redisUrl).port || 6379)
  let app: Awaited<ReturnType<typeof buildApp>>
  try {
    app = await buildApp(findVariant(name), { redisUrl, keyPrefix })
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
    process.exitCode = 1
    process.disconnect()
    return
  }
  const server = app
  process.on('message', (message: ControlMessage) => {
    if (message.type === 'stats') {
      send({
        type: 'stats',
        id: message.id,
        cpu: process.cpuUsage(),
        redisPorts: redisPorts(redisPort),
        rss: process.memoryUsage.rss(),
      })
    } else if (message.type === 'close') {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      )
    }
  })
  // The orchestrator died: do not linger.
  process.on('disconnect', () => {
    server.close().finally(() => process.exit(0))
  })
  await server.listen({ host: '127.0.0.1', port: 0 })
  const address = server.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  send({ type: 'ready', port: address.port })
}

main().catch((error) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  process.exit(1)
})

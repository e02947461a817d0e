import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'

/** Redis's own counters at one instant. */
export interface RedisCounters {
  /** `used_cpu_user + used_cpu_sys` of the server, in µs. */
  readonly cpuMicros: number
  /** `INFO commandstats` calls by command (commands run inside scripts included). */
  readonly calls: Readonly<Record<string, number>>
}

/** Commands the orchestrator itself sends while measuring: never charged to a variant. */
const OWN_COMMANDS = new Set(['info', 'monitor', 'ping', 'client|setname', 'client|list', 'config|resetstat'])

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1))
  }
  return fields
}

export async function readCounters(redis: Redis): Promise<RedisCounters> {
  const info = parseInfo(await redis.info('cpu'))
  const stats = parseInfo(await redis.info('commandstats'))
  const cpuMicros = Math.round((Number(info.get('used_cpu_user')) + Number(info.get('used_cpu_sys'))) * 1e6)
  const calls: Record<string, number> = {}
  for (const [key, value] of stats) {
    if (!key.startsWith('cmdstat_')) continue
    const command = key.slice('cmdstat_'.length)
    if (OWN_COMMANDS.has(command)) continue
    const match = /calls=(\d+)/.exec(value)
    if (match) calls[command] = Number(match[1])
  }
  return { cpuMicros, calls }
}

/** Calls per command between two readings (commands with no calls left out). */
export function callsBetween(before: RedisCounters, after: RedisCounters): Record<string, number> {
  const calls: Record<string, number> = {}
  for (const [command, count] of Object.entries(after.calls)) {
    const delta = count - (before.calls[command] ?? 0)
    if (delta > 0) calls[command] = delta
  }
  return calls
}

/** What a MONITOR census saw: commands a process sent itself, and those its scripts ran. */
export interface Census {
  /** Commands received on the server process's own connections, by name. */
  readonly sent: Readonly<Record<string, number>>
  /** Commands run inside Lua scripts (any client: attribution is not possible there). */
  readonly scripted: Readonly<Record<string, number>>
}

/**
 * Watches Redis with MONITOR while `work` runs and counts the commands that arrive on the given
 * local ports (the measured server's connections). MONITOR is expensive for Redis, so it runs only
 * around a short census of requests, never during the measured interval.
 */
export async function census(url: string, ports: readonly number[], work: () => Promise<void>): Promise<Census> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await client.connect()
  const monitor = await client.monitor()
  const sent: Record<string, number> = {}
  const scripted: Record<string, number> = {}
  const wanted = new Set(ports.map((port) => `:${port}`))
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const command = String(args[0] ?? '').toLowerCase()
    if (source === 'lua') {
      scripted[command] = (scripted[command] ?? 0) + 1
      return
    }
    const colon = source.lastIndexOf(':')
    if (colon >= 0 && wanted.has(source.slice(colon))) sent[command] = (sent[command] ?? 0) + 1
  })
  try {
    await sleep(50)
    await work()
    await sleep(100)
  } finally {
    monitor.disconnect()
    client.disconnect()
  }
  return { sent, scripted }
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) deleted += await redis.del(...keys)
  } while (cursor !== '0')
  return deleted
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()))
    })
  })
}

/** A redis-server of the bench's own (`--private-redis`): no other client's work in its counters. */
export interface PrivateRedis {
  readonly url: string
  stop(): void
}

export async function startPrivateRedis(binary = 'redis-server'): Promise<PrivateRedis> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const url = `redis://127.0.0.1:${port}`
  const stop = () => {
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM')
  }
  process.once('exit', stop)
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${binary} exited with ${code}`)))
  })
  failed.catch(() => {})
  for (let attempt = 0; ; attempt++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    probe.on('error', () => {})
    try {
      await Promise.race([probe.connect().then(() => probe.ping()), failed])
      break
    } catch (error) {
      if (attempt > 50 || child.exitCode !== null) {
        stop()
        throw error
      }
      await sleep(100)
    } finally {
      probe.disconnect()
    }
  }
  return { url, stop }
}

import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { getHeapSpaceStatistics } from 'node:v8'
import { EventLoopLag, type LagFigures } from './event-loop.js'
import type { LoadSummary } from './load.js'
import { sessionCookieOf } from './request-mix.js'
import { deleteKeys, REDIS_URL, randomPrefix, redisAdmin } from './services.js'
import { buildSuiteApp } from './suite-app.js'

/** What a soak measured. */
export interface SoakFigures {
  readonly durationMs: number
  readonly warmUpMs: number
  readonly concurrency: number
  readonly clients: number
  readonly load: LoadSummary
  readonly requestsPerSecond: { readonly mean: number; readonly min: number; readonly max: number }
  /** Heap used after a forced GC, in MB: after the warm-up, at the end (load still running) and once the load stopped. */
  readonly heapMb: {
    readonly start: number
    readonly end: number
    readonly afterStop: number
    /** End against start, in %: the load still running, so requests in flight count. */
    readonly change: number
    /** Once the load stopped against the start, in %: what the soak left behind. */
    readonly retained: number
  }
  readonly rssMb: { readonly start: number; readonly end: number }
  /** Open file descriptors of the server process at the same points. */
  readonly fds: { readonly start: number; readonly end: number; readonly afterStop: number }
  readonly eventLoopDelay: LagFigures
  readonly unhandledRejections: number
  readonly gcExposed: boolean
}

export interface SoakOptions {
  readonly durationMs: number
  readonly concurrency?: number
  readonly clients?: number
  readonly redisUrl?: string
  readonly log?: (line: string) => void
}

const LOAD_CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length
  } catch {
    return -1
  }
}

/**
 * Heap used after a forced GC, less V8's compiled code: code that is still being optimised grows
 * for a while on a slow machine, and is not a leak.
 */
function heapAfterGc(): number {
  globalThis.gc?.()
  globalThis.gc?.()
  let code = 0
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === 'code_space' || space.space_name === 'code_large_object_space') {
      code += space.space_used_size
    }
  }
  return process.memoryUsage().heapUsed - code
}

/** Requests the load child has completed so far. */
async function requestsSent(child: ChildProcess): Promise<number> {
  const reply = nextMessage<{ requests: number }>(child, 'mark')
  child.send({ mark: 'warm-up' })
  return (await reply).requests
}

function nextMessage<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>) => {
      if (key in message) {
        child.off('message', onMessage)
        child.off('exit', onExit)
        resolve(message as T)
      }
    }
    const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code}) before ${key}`))
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/**
 * Phase 3's preset with Redis (and sessions, CSRF, MFA, audit) under full load from a separate
 * process for `durationMs`: heap after a forced GC at the end against the start (compiled code
 * left out, after a warm-up in which every client and route has been seen at least twice), file
 * descriptors, event-loop delay, unhandled rejections.
 */
export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const { durationMs, concurrency = 16, clients = 800, redisUrl = REDIS_URL, log = () => {} } = options
  const warmUpMs = Math.max(2000, Math.round(durationMs * 0.2))
  const prefix = randomPrefix('soak')
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  const admin = redisAdmin()
  // 503s are left out of the circuit breaker's failures: load shedding and the fail-closed stores
  // answer 503 after the breaker's hook, and it would count them as the route's (found-5), turning
  // a moment of overload into a minute of refusals and the soak into a measure of fast 503s.
  const suite = await buildSuiteApp({
    redisUrl,
    prefix,
    perMinute: 100_000,
    shedding: true,
    breakerFailureStatuses: [500, 502, 504],
  })
  const { app, secrets } = suite
  let child: ChildProcess | undefined
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const credentials = {
      secrets,
      token: app.rampartJwt.sign({ sub: 'alice' }),
      sessionCookie: await sessionCookieOf(suite),
    }
    child = spawn(process.execPath, ['--import', 'tsx', '--conditions=rampart-source', LOAD_CHILD], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    await nextMessage(child, 'ready')
    child.send({ start: { origin, concurrency, clients, credentials } })
    await nextMessage(child, 'started')
    log(`soak: warming up for ${warmUpMs} ms`)
    await sleep(warmUpMs)
    // And until every client has been seen twice with its kind of request (request n is client
    // n % clients): on a machine short of CPU the warm-up's time is not enough, and the clients'
    // first entries in the limiters and caches would count as growth.
    const warmUpDeadline = Date.now() + 30_000
    while ((await requestsSent(child)) < 2 * clients && Date.now() < warmUpDeadline) await sleep(250)

    const lag = new EventLoopLag()
    const heapStart = heapAfterGc()
    const rssStart = process.memoryUsage().rss
    const fdsStart = openFds()
    lag.start()
    log(`soak: measuring for ${durationMs} ms (heap ${mb(heapStart)} MB, ${fdsStart} fds)`)
    await sleep(durationMs)
    const eventLoopDelay = lag.stop()
    const heapEnd = heapAfterGc()
    const rssEnd = process.memoryUsage().rss
    const fdsEnd = openFds()

    child.send({ stop: true })
    const { summary, perSecond } = await nextMessage<{ summary: LoadSummary; perSecond: number[] }>(child, 'summary')
    await once(child, 'exit').catch(() => undefined)
    await sleep(500)
    const heapAfterStop = heapAfterGc()
    const fdsAfterStop = openFds()
    const measured = perSecond.slice(Math.ceil(warmUpMs / 1000), -1)
    const figures: SoakFigures = {
      durationMs,
      warmUpMs,
      concurrency,
      clients,
      load: summary,
      requestsPerSecond: {
        mean: Math.round(measured.reduce((sum, count) => sum + count, 0) / Math.max(1, measured.length)),
        min: Math.min(...measured),
        max: Math.max(...measured),
      },
      heapMb: {
        start: mb(heapStart),
        end: mb(heapEnd),
        afterStop: mb(heapAfterStop),
        change: Math.round(((heapEnd - heapStart) / heapStart) * 1000) / 10,
        retained: Math.round(((heapAfterStop - heapStart) / heapStart) * 1000) / 10,
      },
      rssMb: { start: mb(rssStart), end: mb(rssEnd) },
      fds: { start: fdsStart, end: fdsEnd, afterStop: fdsAfterStop },
      eventLoopDelay,
      unhandledRejections: unhandled.length,
      gcExposed: typeof globalThis.gc === 'function',
    }
    log(`soak: ${JSON.stringify(figures)}`)
    return figures
  } finally {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL')
    process.off('unhandledRejection', onUnhandled)
    await app.close()
    await deleteKeys(admin, prefix)
    admin.disconnect()
  }
}

// `pnpm --filter @rampart/reliability soak [seconds]`: the long form by hand (60 s by default).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seconds = Number(process.argv[2] ?? 60)
  const { writeResult } = await import('./results.js')
  const figures = await runSoak({ durationMs: seconds * 1000, log: (line) => console.log(line) })
  writeResult(`soak-${seconds}s`, { ...figures })
}

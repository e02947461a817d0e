/**
 * Micro-benchmarks of the functions every request goes through, in a process of their own:
 * `node --import tsx src/micro.ts [--smoke]` prints one JSON line (MicroResult).
 *
 * Each case runs batches of calls after a warm-up and reports the median CPU nanoseconds per call.
 */
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { ClientAddressResolver, ipBucket, normalizePath, PrefixMatcher, RoutePatternMatcher } from '@rampart/core'
import { OriginMatcher } from '@rampart/cors'
import rampartHeaders, { applySecurityHeaders } from '@rampart/headers'
import { defaultClientKey, hashClientKey, type MemoryStore, type PolicySet, resolveOptions } from '@rampart/rate-limit'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { HIGH_LIMIT, ORIGIN } from './token.js'

export interface MicroCase {
  readonly area: 'client address' | 'headers' | 'limiter' | 'route matching'
  readonly name: string
  /** Median CPU ns per call over the batches. */
  readonly nsPerCall: number
  readonly iterations: number
  readonly batches: number
}

export interface MicroResult {
  readonly cases: readonly MicroCase[]
}

/** Keeps results alive so no call is optimised away. */
let sink: unknown
let counter = 0

function cpuNanos(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) * 1000
}

/**
 * Median CPU ns per call: the batch size is calibrated so that a batch takes about `batchMs` of
 * CPU. CPU time (not wall time) so that other processes on the cores do not inflate the figures.
 */
function measure(area: MicroCase['area'], name: string, fn: () => unknown, scale: number): MicroCase {
  const batchMs = 25 * scale
  const batches = scale < 1 ? 3 : 7
  for (let i = 0; i < 2000; i++) sink = fn()
  let start = process.cpuUsage()
  for (let i = 0; i < 2000; i++) sink = fn()
  const estimate = Math.max(cpuNanos(start) / 2000, 1)
  const count = Math.min(5_000_000, Math.max(1000, Math.round((batchMs * 1e6) / estimate)))
  for (let i = 0; i < count; i++) sink = fn()
  const perCall: number[] = []
  for (let batch = 0; batch < batches; batch++) {
    start = process.cpuUsage()
    for (let i = 0; i < count; i++) sink = fn()
    perCall.push(cpuNanos(start) / count)
  }
  perCall.sort((a, b) => a - b)
  const nsPerCall = Math.round((perCall[perCall.length >> 1] as number) * 10) / 10
  return { area, name, nsPerCall, iterations: count, batches }
}

/** A real Fastify reply (captured in a handler), for the header functions that take one. */
async function captureReply(withHeaders: boolean): Promise<{ request: FastifyRequest; reply: FastifyReply }> {
  const app = Fastify()
  if (withHeaders) await app.register(rampartHeaders)
  let captured: { request: FastifyRequest; reply: FastifyReply } | undefined
  app.get('/api/hello', (request, reply) => {
    captured = { request, reply }
    reply.send({ hello: 'world' })
  })
  await app.inject({ url: '/api/hello', headers: { origin: ORIGIN } })
  if (captured === undefined) throw new Error('no reply captured')
  return captured
}

/** Fastify keeps a reply's headers in an object behind a private symbol: reset it between calls. */
function headerReset(reply: FastifyReply): () => void {
  const symbol = Object.getOwnPropertySymbols(reply).find((s) => s.description === 'fastify.reply.headers')
  if (symbol === undefined) throw new Error("Fastify's reply headers symbol not found")
  const holder = reply as unknown as Record<symbol, object>
  return () => {
    holder[symbol] = { 'content-type': 'application/json; charset=utf-8' }
  }
}

export async function runMicro(scale = 1): Promise<MicroResult> {
  const cases: MicroCase[] = []

  // Client address resolution.
  const direct = new ClientAddressResolver()
  const behindProxy = new ClientAddressResolver({ trustedProxies: ['loopback', '10.0.0.0/8'] })
  const plainHeaders = { host: '127.0.0.1:3000', origin: ORIGIN }
  const proxiedHeaders = { host: 'api.example.com', 'x-forwarded-for': '203.0.113.7, 10.0.0.2' }
  cases.push(
    measure(
      'client address',
      'resolve: socket peer, no proxy trusted',
      () => direct.resolve('127.0.0.1', plainHeaders, false),
      scale,
    ),
    measure(
      'client address',
      'resolve: X-Forwarded-For through two trusted hops',
      () => behindProxy.resolve('127.0.0.1', proxiedHeaders, false),
      scale,
    ),
    measure('client address', 'ipBucket: IPv6 /64', () => ipBucket('2001:db8:85a3::8a2e:370:7334', 64), scale),
  )

  // Header application (a real reply; the reset alone is measured too, to subtract).
  const { reply } = await captureReply(true)
  const reset = headerReset(reply)
  cases.push(
    measure('headers', 'reply headers reset (baseline of the next case)', reset, scale),
    measure(
      'headers',
      'applySecurityHeaders: defaults, onto a fresh header set',
      () => {
        reset()
        return applySecurityHeaders(reply)
      },
      scale,
    ),
  )

  // The limiter check: key, hash, memory store.
  const settings = resolveOptions({ perMinute: HIGH_LIMIT, perHour: HIGH_LIMIT, maxClients: 200_000 })
  const store = settings.store as MemoryStore
  const set: PolicySet = { scope: 'rl:micro', policies: settings.policies }
  store.register(set)
  const sets = [set]
  const { request } = await captureReply(false)
  const oneClient = hashClientKey('ip:127.0.0.1')
  const manyClients = Array.from({ length: 100_000 }, (_, i) =>
    hashClientKey(`ip:10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`),
  )
  cases.push(
    measure('limiter', 'defaultClientKey (memoised address, IPv4)', () => defaultClientKey(request, 64), scale),
    measure('limiter', 'hashClientKey (SHA-256, 22 characters)', () => hashClientKey('ip:203.0.113.7'), scale),
    measure('limiter', 'MemoryStore.consume: one client, minute + hour', () => store.consume(oneClient, sets), scale),
    measure(
      'limiter',
      'MemoryStore.consume: 100,000 clients in turn',
      () => store.consume(manyClients[counter++ % manyClients.length] as string, sets),
      scale,
    ),
  )
  store.close()

  // Route and origin matching.
  const excluded = new PrefixMatcher(
    Object.fromEntries(['/health', '/metrics', '/docs', '/openapi.json'].map((path) => [path, true])),
  )
  const routes = new RoutePatternMatcher({ '/api/users/:id': 'users', '/api/auth/login': 'login' })
  const origins = new OriginMatcher(
    ['https://app.example.com', 'https://admin.example.com'],
    [/^https:\/\/[a-z0-9-]+\.preview\.example\.com$/],
  )
  cases.push(
    measure('route matching', 'normalizePath: /api/hello', () => normalizePath('/api/hello'), scale),
    measure(
      'route matching',
      'normalizePath: /api//./users/%61lice/',
      () => normalizePath('/api//./users/%61lice/'),
      scale,
    ),
    measure(
      'route matching',
      'PrefixMatcher.match: 4 excluded prefixes, no match',
      () => excluded.match('/api/hello'),
      scale,
    ),
    measure(
      'route matching',
      'RoutePatternMatcher.matchPattern: hit',
      () => routes.matchPattern('/api/users/:id'),
      scale,
    ),
    measure('route matching', 'OriginMatcher.allows: exact origin', () => origins.allows(ORIGIN), scale),
    measure(
      'route matching',
      'OriginMatcher.allows: pattern origin',
      () => origins.allows('https://pr-42.preview.example.com'),
      scale,
    ),
  )
  if (sink === Symbol.for('never')) process.stdout.write('')
  return { cases }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { smoke: { type: 'boolean' } } })
  process.stdout.write(`${JSON.stringify(await runMicro(values.smoke ? 0.05 : 1))}\n`)
}

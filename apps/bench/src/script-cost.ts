/**
 * Redis CPU per rate-limit decision, with no HTTP server around it: Rampart's script (one policy,
 * then the default minute + hour pair) and @fastify/rate-limit's, called through their own stores
 * on one private redis-server, interleaved in rounds; each figure is `INFO cpu` over the calls.
 *
 *   node --conditions=rampart-source --import tsx src/script-cost.ts [--calls N] [--rounds R]
 *
 * Under HTTP load the same Redis also spends CPU reading and answering its sockets (the main
 * bench's "Redis CPU/request"); this isolates what each script itself costs per call.
 */
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { OptionValidator } from '@rampart/core'
import { compilePolicy, type PolicySet, RedisStore } from '@rampart/rate-limit'
import { Redis } from 'ioredis'
import { readCounters, startPrivateRedis } from './redis-stats.js'

interface FastifyRedisStore {
  incr(key: string, callback: (error: Error | null) => void, timeWindow: number, max: number): void
}
type FastifyRedisStoreClass = new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
  key: string,
) => FastifyRedisStore

const require = createRequire(import.meta.url)
// @fastify/rate-limit's Redis store, used as its plugin uses it (a script per request).
const FastifyStore = require('@fastify/rate-limit/store/RedisStore.js') as FastifyRedisStoreClass

const validate = new OptionValidator('bench')
const DEFAULTS = { algorithm: 'sliding-window' as const, shadow: false, nearLimit: 0 }
const HIGH = 1_000_000_000

function policySet(scope: string, windows: Record<string, number>): PolicySet {
  return {
    scope,
    policies: Object.entries(windows).map(([name, window]) =>
      compilePolicy(validate, name, name, { limit: HIGH, window }, DEFAULTS),
    ),
  }
}

/** Runs `calls` decisions, `inFlight` at a time; returns the Redis CPU µs per call. */
async function measure(admin: Redis, calls: number, decide: (i: number) => Promise<unknown>): Promise<number> {
  const inFlight = 200
  const before = await readCounters(admin)
  for (let i = 0; i < calls; i += inFlight) {
    await Promise.all(Array.from({ length: Math.min(inFlight, calls - i) }, (_, j) => decide(i + j)))
  }
  const after = await readCounters(admin)
  return (after.cpuMicros - before.cpuMicros) / calls
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string' }, rounds: { type: 'string' } } })
  const calls = Number(values.calls ?? 20_000)
  const rounds = Number(values.rounds ?? 7)
  const redis = await startPrivateRedis()
  const admin = new Redis(redis.url)
  const client = new Redis(redis.url, { enableAutoPipelining: true })
  const rampart = new RedisStore({ client, timeout: 5000 })
  await rampart.ready()
  const fastify = new FastifyStore(false, false, client, 'frl:')
  const one = [policySet('rl:one', { minute: 60 })]
  const pair = [policySet('rl:pair', { minute: 60, hour: 3600 })]
  // A few clients, as under load: every decision finds state to read and write.
  const clientOf = (i: number) => `client${i % 16}`.padEnd(22, '.')
  const variants: [string, (i: number) => Promise<unknown>][] = [
    [
      '@fastify/rate-limit (INCR + PTTL, one window)',
      (i) =>
        new Promise<void>((resolve, reject) =>
          fastify.incr(clientOf(i), (error) => (error ? reject(error) : resolve()), 60_000, HIGH),
        ),
    ],
    ['Rampart, one policy (sliding window)', (i) => Promise.resolve(rampart.consume(clientOf(i), one))],
    ['Rampart, minute + hour (the default)', (i) => Promise.resolve(rampart.consume(clientOf(i), pair))],
  ]
  const results = new Map<string, number[]>(variants.map(([name]) => [name, []]))
  const ratios = new Map<string, number[]>(variants.map(([name]) => [name, []]))
  try {
    for (const [, decide] of variants) await measure(admin, 2000, decide) // warm-up, scripts loaded
    for (let round = 0; round < rounds; round++) {
      let reference = 0
      for (const [name, decide] of variants) {
        const cost = await measure(admin, calls, decide)
        if (reference === 0) reference = cost
        results.get(name)?.push(cost)
        ratios.get(name)?.push(cost / reference)
      }
    }
  } finally {
    await rampart.close()
    client.disconnect()
    admin.disconnect()
    redis.stop()
  }
  const lines = [
    `Redis CPU per decision, ${rounds} rounds × ${calls} calls, 200 in flight, median (ratio to @fastify/rate-limit's in each round):`,
    '',
    '| store | Redis CPU µs/call | × @fastify/rate-limit |',
    '| --- | ---: | ---: |',
  ]
  for (const [name] of variants) {
    lines.push(
      `| ${name} | ${median(results.get(name) ?? []).toFixed(1)} | ${median(ratios.get(name) ?? []).toFixed(2)}× |`,
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

await main()

import { OptionValidator } from '@rampart/core'
import fc from 'fast-check'
import t from 'tap'
import {
  ALGORITHM_NAMES,
  type AlgorithmName,
  type BanRule,
  type ConsumeResult,
  compilePolicy,
  MemoryStore,
  type PolicySet,
  RedisStore,
} from '../src/index.js'
import { adminClient, deleteKeys, REDIS_URL, randomPrefix } from './fixtures/redis.js'

// The memory and Redis stores agree on every sequence: the same decisions, remaining counts,
// resets, Retry-After, near-limit flags, bans and instants, for random arrival times, several
// policies (any algorithm, some in shadow mode), a route set beside the global one and a ban. The
// Redis store runs with `clock: 'caller'` so that both see the same instants; with the default
// `clock: 'redis'` only the time source differs (the server's `TIME`), not the arithmetic.

const PREFIX = randomPrefix('property')
const admin = adminClient(t)
t.teardown(() => deleteKeys(admin, PREFIX))

// Every duration is scaled up: Redis expires keys on its own (real) clock, and on a loaded machine
// the real time between two calls could pass a 1 s window of the fake clock's while no fake time
// passed. At a minute or more, only the fake clock decides.
const SCALE = 60

const validate = new OptionValidator('test')
const BASE = Date.UTC(2025, 0, 1)
let time = BASE
const clock = () => time

const redis = new RedisStore({ url: REDIS_URL, clock: 'caller', now: clock, timeout: 5000 })
t.teardown(() => redis.close())

const policyOptions = (algorithm: fc.Arbitrary<AlgorithmName>) =>
  fc.record({
    limit: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(0)),
    burst: fc.integer({ min: 0, max: 3 }),
    window: fc.integer({ min: 1, max: 4 }).map((s) => s * SCALE),
    algorithm,
    shadow: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })

const anyAlgorithm = fc.constantFrom(...ALGORITHM_NAMES)

const scenario = (algorithm: AlgorithmName) =>
  fc.record({
    main: policyOptions(fc.constant(algorithm)),
    others: fc.array(policyOptions(anyAlgorithm), { maxLength: 2 }),
    route: fc.option(policyOptions(anyAlgorithm), { nil: undefined }),
    ban: fc.option(
      fc.record({
        after: fc.integer({ min: 1, max: 4 }),
        withinMs: fc.integer({ min: 1, max: 5 }).map((s) => s * 1000 * SCALE),
        durationMs: fc.integer({ min: 1, max: 5 }).map((s) => s * 1000 * SCALE),
      }),
      { nil: undefined },
    ),
    nearLimit: fc.constantFrom(0, 0.5, 0.8),
    arrivals: fc.array(
      fc.record({
        gap: fc
          .oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3000 }))
          .map((ms) => ms * SCALE),
        client: fc.integer({ min: 0, max: 1 }),
      }),
      { minLength: 1, maxLength: 80, size: 'max' },
    ),
    offset: fc.integer({ min: 0, max: 10_000 }).map((ms) => ms * SCALE),
  })

/** What both stores must agree on (the memory store also carries internal fields, and `degraded`). */
function comparable(result: ConsumeResult) {
  return {
    now: result.now,
    allowed: result.allowed,
    bannedMs: result.bannedMs ?? 0,
    banStarted: result.banStarted ?? false,
    decisions: result.decisions.map((decision) => ({
      policy: decision.policy.name,
      scope: decision.scope,
      allowed: decision.allowed,
      remaining: decision.remaining,
      resetMs: decision.resetMs,
      retryAfterMs: decision.retryAfterMs,
      nearLimit: decision.nearLimit,
    })),
  }
}

let runs = 0

for (const algorithm of ALGORITHM_NAMES) {
  t.test(`${algorithm}: the memory and Redis stores agree on every sequence`, async (t) => {
    await redis.ready()
    let compared = 0
    let degraded = 0
    await fc.assert(
      fc.asyncProperty(scenario(algorithm), async (run) => {
        const defaults = { algorithm, shadow: false, nearLimit: run.nearLimit }
        const compile = (name: string, options: object) => compilePolicy(validate, name, name, options, defaults)
        const scope = `${PREFIX}${runs++}:`
        const global: PolicySet = {
          scope: `${scope}global`,
          policies: [compile('main', run.main), ...run.others.map((options, i) => compile(`other${i}`, options))],
          ...(run.ban === undefined ? {} : { ban: run.ban as BanRule }),
        }
        const sets: PolicySet[] = [global]
        if (run.route !== undefined) sets.push({ scope: `${scope}route`, policies: [compile('route', run.route)] })
        time = BASE + run.offset
        const memory = new MemoryStore({ now: clock })
        for (const [index, arrival] of run.arrivals.entries()) {
          time += arrival.gap
          const client = `client-${arrival.client}`
          const expected = comparable(memory.consume(client, sets))
          const result = await redis.consume(client, sets)
          if (result.degraded === true) degraded++
          const actual = comparable(result)
          compared++
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            throw new Error(
              `request ${index} at +${time - BASE - run.offset} ms:\nmemory ${JSON.stringify(expected)}\nredis  ${JSON.stringify(actual)}`,
            )
          }
        }
      }),
      { numRuns: 25 },
    )
    t.ok(compared > 500, `${compared} requests compared`)
    t.equal(degraded, 0, 'every one decided by Redis')
    t.equal(redis.state, 'closed')
  })
}

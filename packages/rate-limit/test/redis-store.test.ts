import { OptionValidator } from '@rampart/core'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import rampartRateLimit, {
  ALGORITHM_NAMES,
  compilePolicy,
  type NearLimitEvent,
  nearLimitChannel,
  type RateLimitOptions,
  RedisStore,
} from '../src/index.js'
import { adminClient, deleteKeys, keysUnder, REDIS_URL, randomPrefix } from './fixtures/redis.js'
import { parseList } from './fixtures/structured-fields.js'

// The plugin over the Redis store, against the real Redis at REDIS_URL: limits, headers, keys and
// their expiry, all-or-nothing charging, shadow mode and near-limit events, decided by the Lua
// script at the server's time.

const PREFIX = randomPrefix('store')
const admin = adminClient(t)
t.teardown(() => deleteKeys(admin, PREFIX))

let apps = 0
/** A Fastify app limited through Redis under a prefix of its own. */
async function redisApp(options: RateLimitOptions = {}): Promise<{ app: FastifyInstance; prefix: string }> {
  const prefix = `${PREFIX}${apps++}:`
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartRateLimit, { redis: REDIS_URL, prefix, ...options })
  app.get('/', async () => 'ok')
  return { app, prefix }
}

const items = (header: unknown) =>
  Object.fromEntries(parseList(header as string).map((item) => [item.value as string, Object.fromEntries(item.params)]))

t.test("the seed's test against real Redis: five pass, the sixth is 429 with Retry-After", async (t) => {
  const { app, prefix } = await redisApp({ perMinute: 5, burst: 0 })
  for (let i = 0; i < 5; i++) {
    const response = await app.inject('/')
    t.equal(response.statusCode, 200)
    t.equal(response.headers['x-ratelimit-remaining'], String(4 - i))
  }
  const refused = await app.inject('/')
  t.equal(refused.statusCode, 429)
  t.match(refused.headers['content-type'], /^application\/problem\+json/)
  t.equal(refused.json().code, 'RAMPART_RATE_LIMIT_EXCEEDED')
  const retryAfter = Number(refused.headers['retry-after'])
  // sliding-window counter: the previous window still weighs in, so the wait is up to two windows
  t.ok(retryAfter >= 1 && retryAfter <= 120, `Retry-After ${retryAfter}`)
  t.equal(refused.headers['ratelimit-policy'], '"minute";q=5;w=60, "hour";q=1000;w=3600')
  const fields = items(refused.headers.ratelimit)
  t.same(fields.minute, { r: 0, t: retryAfter }, 'the refusing policy: t is Retry-After')
  t.equal(fields.hour?.r, 995)
  t.ok(
    (fields.hour?.t as number) > 0 && (fields.hour?.t as number) <= 7200,
    'the hour policy resets within two windows',
  )
  const reset = Number(refused.headers['x-ratelimit-reset'])
  t.ok(Math.abs(reset - (Date.now() / 1000 + retryAfter)) <= 2, 'X-RateLimit-Reset is Unix time at the reset')

  const keys = await keysUnder(admin, prefix)
  t.equal(keys.length, 1, 'one key for the set of policies')
  t.match(keys[0], new RegExp(`^${prefix}global:\\{[A-Za-z0-9_-]{22}\\}$`), 'the client hash is the hash tag')
  t.notOk(
    keys.some((key) => key.includes('127.0.0.1')),
    'no address in the keys',
  )
  const state = (await admin.getBuffer(keys[0] as string)) as Buffer
  t.equal(state.length, 8 + 2 * 40, 'the instant, then a block of five doubles per policy')
  const ttl = await admin.pttl(keys[0] as string)
  t.ok(ttl > 3_600_000 && ttl <= 7_200_000, `the key lives as long as the hour policy's two windows (${ttl} ms)`)
})

for (const algorithm of ALGORITHM_NAMES) {
  t.test(`${algorithm} on Redis: capacity admitted, then refused with the exact wait`, async (t) => {
    const { app, prefix } = await redisApp({ policies: { second: { limit: 3, burst: 1, window: 10, algorithm } } })
    // A fixed window starts on a multiple of 10 s of Redis's clock (this machine's): start well
    // before its end, so a slow run does not see the count reset halfway.
    const into = Date.now() % 10_000
    if (algorithm === 'fixed-window' && into > 5_000) await new Promise((resolve) => setTimeout(resolve, 10_050 - into))
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await app.inject('/')).statusCode)
    t.same(statuses, [200, 200, 200, 200, 429, 429])
    const refused = await app.inject('/')
    const retryAfter = Number(refused.headers['retry-after'])
    t.ok(retryAfter >= 1 && retryAfter <= 20, `Retry-After ${retryAfter}`)
    const keys = await keysUnder(admin, prefix)
    for (const key of keys) {
      const ttl = await admin.pttl(key)
      t.ok(ttl > 0 && ttl <= 20_000, `${key.slice(prefix.length)} expires (${ttl} ms)`)
    }
  })
}

t.test('a refused request charges no policy (all or nothing, in one script call)', async (t) => {
  const { app } = await redisApp({ perMinute: 100, burst: 0 })
  app.post('/login', { config: { rampart: { rateLimit: { login: { limit: 2, window: 300 } } } } }, async () => 'in')
  for (let i = 0; i < 2; i++) t.equal((await app.inject({ method: 'POST', url: '/login' })).statusCode, 200)
  for (let i = 0; i < 20; i++) {
    const refused = await app.inject({ method: 'POST', url: '/login' })
    t.equal(refused.statusCode, 429)
    t.same(Object.fromEntries(Object.entries(items(refused.headers.ratelimit)).map(([name, item]) => [name, item.r])), {
      minute: 98,
      hour: 998,
      login: 0,
    })
  }
  t.equal((await app.inject('/')).headers['x-ratelimit-remaining'], '97', 'only the admitted requests counted')
})

t.test('shadow policies count on Redis but never refuse', async (t) => {
  const { app } = await redisApp({ policies: { trial: { limit: 2, window: 60, shadow: true } } })
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) statuses.push((await app.inject('/')).statusCode)
  t.same(statuses, [200, 200, 200, 200, 200])
  const trial = items((await app.inject('/')).headers.ratelimit).trial
  t.equal(trial?.r, 0, 'counted: nothing left')
  t.ok((trial?.t as number) > 0 && (trial?.t as number) <= 120)
})

t.test('near-limit fires once per window from the script', async (t) => {
  const events: NearLimitEvent[] = []
  const unsubscribe = nearLimitChannel.subscribe((event) => events.push(event))
  t.teardown(unsubscribe)
  const { app } = await redisApp({ policies: { burst: { limit: 10, window: 60, algorithm: 'fixed-window' } } })
  for (let i = 0; i < 10; i++) await app.inject('/')
  t.same(
    events.map((event) => [event.policy, event.remaining]),
    [['burst', 2]],
  )
})

t.test('the sliding log counts every request, even many in the same millisecond', async (t) => {
  // The seeds' `ZADD key now now` makes requests of one instant ONE member: 15 concurrent requests
  // would all pass a limit of 10. Members here are unique per request.
  const prefix = `${PREFIX}log:`
  const store = new RedisStore({ url: REDIS_URL, clock: 'caller', now: () => Date.UTC(2025, 0, 1), timeout: 2000 })
  t.teardown(() => store.close())
  await store.ready()
  const validate = new OptionValidator('test')
  const policy = compilePolicy(
    validate,
    'log',
    'log',
    { limit: 10, window: 60, algorithm: 'sliding-log' },
    { algorithm: 'sliding-log', shadow: false, nearLimit: 0 },
  )
  const sets = [{ scope: `${prefix}global`, policies: [policy] }]
  const results = await Promise.all(Array.from({ length: 15 }, () => store.consume('same-instant', sets)))
  t.equal(results.filter((result) => result.allowed).length, 10)
  t.equal(new Set(results.map((result) => result.now)).size, 1, 'all at one instant')
  t.equal(await admin.zcard(`${prefix}global:log.sliding-log.60:{same-instant}`), 10, 'ten members')
})

t.test("a set's key: a changed limit keeps the count, a changed window or algorithm starts afresh", async (t) => {
  const prefix = `${PREFIX}tags:`
  async function app(policies: RateLimitOptions['policies']): Promise<FastifyInstance> {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(rampartRateLimit, { redis: REDIS_URL, prefix, policies })
    app.get('/', async () => 'ok')
    return app
  }
  const remaining = async (app: FastifyInstance) => items((await app.inject('/')).headers.ratelimit)
  const first = await app({ minute: { limit: 10, window: 60 }, hour: { limit: 100, window: 3600 } })
  for (let i = 0; i < 3; i++) await first.inject('/')
  // The same policies in another order, the minute limit raised: both keep their counts.
  const raised = await remaining(await app({ hour: { limit: 100, window: 3600 }, minute: { limit: 20, window: 60 } }))
  t.same([raised.minute?.r, raised.hour?.r], [16, 96], 'four requests counted in each, found by their tags')
  // The minute policy as a token bucket, the hour one unchanged: the minute starts afresh.
  const bucket = await remaining(
    await app({ minute: { limit: 20, window: 60, algorithm: 'token-bucket' }, hour: { limit: 100, window: 3600 } }),
  )
  t.same([bucket.minute?.r, bucket.hour?.r], [19, 95])
})

t.test('an uncharged shadow policy keeps its state alive: the key lives as long as it matters', async (t) => {
  // No near-limit events: their quiet period would keep the key for an hour by itself.
  const { app, prefix } = await redisApp({
    nearLimit: false,
    policies: { minute: { limit: 100, window: 60 }, trial: { limit: 1, window: 3600, shadow: true } },
  })
  t.equal((await app.inject('/')).statusCode, 200)
  // The shadow hour policy refuses from now on (not charged); the minute one is charged.
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/')).statusCode, 200)
  const [key] = await keysUnder(admin, prefix)
  const ttl = await admin.pttl(key as string)
  // The hour's sliding window keeps its count until two windows after its start: 1 to 2 hours.
  t.ok(ttl > 3_600_000, `still there for the hour policy's windows (${ttl} ms), not the minute's`)
  t.equal(items((await app.inject('/')).headers.ratelimit).trial?.r, 0, 'its count kept')
})

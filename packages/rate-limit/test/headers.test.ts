import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit, { type RateLimitOptions } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { parseList } from './fixtures/structured-fields.js'

async function build(options: RateLimitOptions, clock = new FakeClock()) {
  const app = Fastify()
  await app.register(rampartRateLimit, { now: clock.now, ...options })
  app.get('/', async () => 'ok')
  app.get('/health', async () => 'ok')
  app.get('/login', { config: { rampart: { rateLimit: { login: { limit: 3, window: 300 } } } } }, async () => 'ok')
  return app
}

t.test('the structured-field parser rejects what RFC 8941 rejects', async (t) => {
  t.throws(() => parseList('"a";q=1,'), /trailing comma/)
  t.throws(() => parseList('"a";Q=1'), /invalid key/)
  t.throws(() => parseList('"a" "b"'), /expected ","/)
  t.throws(() => parseList('"a\\x"'), /invalid escape/)
  t.same(parseList('"a";q=1, "b";r=2;t=3').length, 2)
})

t.test('RateLimit-Policy and RateLimit are valid RFC 8941 lists, one item per policy', async (t) => {
  const app = await build({ perMinute: 100, burst: 0, perHour: 1000 })
  const response = await app.inject('/')
  const policy = parseList(response.headers['ratelimit-policy'] as string)
  t.same(
    policy.map((item) => [item.value, Object.fromEntries(item.params)]),
    [
      ['minute', { q: 100, w: 60 }],
      ['hour', { q: 1000, w: 3600 }],
    ],
  )
  const limit = parseList(response.headers.ratelimit as string)
  t.same(
    limit.map((item) => [item.value, item.params.get('r')]),
    [
      ['minute', 99],
      ['hour', 999],
    ],
  )
  for (const item of limit) {
    const reset = item.params.get('t')
    t.ok(Number.isInteger(reset) && (reset as number) >= 0, 't is a non-negative integer')
  }
})

t.test('a route with its own policy lists the global and the route items', async (t) => {
  const app = await build({ perMinute: 100, burst: 0 })
  const response = await app.inject('/login')
  t.same(
    parseList(response.headers['ratelimit-policy'] as string).map((item) => item.value),
    ['minute', 'hour', 'login'],
  )
  const items = parseList(response.headers.ratelimit as string)
  t.same(
    items.map((item) => [item.value, item.params.get('r')]),
    [
      ['minute', 99],
      ['hour', 999],
      ['login', 2],
    ],
  )
  t.equal(response.headers['x-ratelimit-limit'], '3', 'X-RateLimit-* describe the strictest policy')
  t.equal(response.headers['x-ratelimit-remaining'], '2')
})

t.test('X-RateLimit-Reset is the epoch second when quota returns; headers on refusals too', async (t) => {
  const clock = new FakeClock()
  const app = await build({ perMinute: 2, burst: 0, algorithm: 'fixed-window' }, clock)
  clock.advance(15_000)
  const first = await app.inject('/')
  t.equal(first.headers['x-ratelimit-reset'], String(Math.ceil((clock.time + 45_000) / 1000)))
  await app.inject('/')
  const refused = await app.inject('/')
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['x-ratelimit-remaining'], '0')
  t.equal(refused.headers['retry-after'], '45')
  const minute = parseList(refused.headers.ratelimit as string)[0]
  t.equal(minute?.params.get('r'), 0)
  t.equal(minute?.params.get('t'), 45, "Retry-After is not earlier than the refusing policy's t")
})

t.test('legacy and draft headers can each be switched off', async (t) => {
  const noLegacy = await build({ legacyHeaders: false })
  const a = await noLegacy.inject('/')
  t.equal(a.headers['x-ratelimit-limit'], undefined)
  t.type(a.headers.ratelimit, 'string')
  const noDraft = await build({ draftHeaders: false })
  const b = await noDraft.inject('/')
  t.equal(b.headers.ratelimit, undefined)
  t.equal(b.headers['ratelimit-policy'], undefined)
  t.equal(b.headers['x-ratelimit-limit'], '70')
})

import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit, { getRateLimit } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { parseList } from './fixtures/structured-fields.js'

// Bypass 2 of the "cannot be bypassed" issue: every applicable limit applies. @fastify/rate-limit
// marks a request as limited after its first limiter and skips any other one; a naive union of
// limiters charges every limiter even when one refuses, so a client hammering a refused minute
// window also burns its hour budget. Here all policies met at one hook are checked in one store
// call, nothing is charged unless all admit, and the strictest refusal wins.

const remaining = (header: unknown): Record<string, number> =>
  Object.fromEntries(parseList(header as string).map((item) => [item.value as string, item.params.get('r') as number]))

t.test('a stricter per-route limit refuses while the global limit still has room', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  await app.register(rampartRateLimit, { perMinute: 100, burst: 0, now: clock.now })
  const login = { login: { limit: 3, window: 300 } }
  app.post('/api/auth/login', { config: { rampart: { rateLimit: login } } }, async () => 'welcome')
  app.get('/api/test', async () => 'ok')

  for (let i = 0; i < 3; i++) t.equal((await app.inject({ method: 'POST', url: '/api/auth/login' })).statusCode, 200)
  const refused = await app.inject({ method: 'POST', url: '/api/auth/login' })
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().policy, 'login')
  t.same(remaining(refused.headers.ratelimit), { minute: 97, hour: 997, login: 0 }, 'the refusal charged nothing')
  const other = await app.inject('/api/test')
  t.equal(other.statusCode, 200, 'other routes only meet the global limit')
  t.same(remaining(other.headers.ratelimit), { minute: 96, hour: 996 })
})

t.test('a client hammering a refused minute window does not burn its hour budget', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  await app.register(rampartRateLimit, {
    perMinute: 2,
    burst: 0,
    perHour: 10,
    now: clock.now,
    algorithm: 'fixed-window',
  })
  app.get('/', async () => 'ok')
  let admitted = 0
  for (let minute = 0; minute < 10; minute++) {
    for (let i = 0; i < 50; i++) if ((await app.inject('/')).statusCode === 200) admitted++
    clock.advance(60_000)
  }
  t.equal(admitted, 10, '2 a minute for 5 minutes: the 490 refused requests did not count')
  const last = await app.inject('/')
  t.equal(last.statusCode, 429)
  t.equal(last.json().policy, 'hour')
})

t.test('the strictest refusal wins: Retry-After is the longest wait of the refusing policies', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  await app.register(rampartRateLimit, { perMinute: 1, burst: 0, now: clock.now, algorithm: 'fixed-window' })
  app.get(
    '/reset',
    { config: { rampart: { rateLimit: { reset: { limit: 1, window: 3600, algorithm: 'fixed-window' } } } } },
    async () => 'ok',
  )
  t.equal((await app.inject('/reset')).statusCode, 200)
  const refused = await app.inject('/reset')
  t.equal(refused.statusCode, 429)
  t.same(refused.json()['violated-policies'], ['minute', 'reset'])
  t.equal(refused.json().policy, 'reset')
  t.equal(refused.headers['retry-after'], '3600')
  t.equal(refused.headers['x-ratelimit-limit'], '1')
  t.equal(refused.headers['x-ratelimit-reset'], String(Math.ceil((clock.time + 3_600_000) / 1000)))
})

t.test('a second instance at preHandler (per user) is enforced on the same request as the first', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  app.decorateRequest('identity', null)
  await app.register(rampartRateLimit, { perMinute: 5, burst: 0, now: clock.now })
  // Authentication would run here (onRequest/preValidation); the per-user limiter runs after it.
  app.addHook('preValidation', async (request) => {
    const user = request.headers['x-user']
    if (typeof user === 'string') request.identity = { id: user, kind: 'user', scopes: [] }
  })
  await app.register(rampartRateLimit, {
    name: 'user',
    prefix: 'rl-user:',
    hook: 'preHandler',
    key: (request) => request.identity?.id,
    policies: { 'user-minute': { limit: 2, window: 60 } },
    now: clock.now,
  })
  app.get('/', async (request) => getRateLimit(request)?.decisions.map((decision) => decision.policy.name))

  const asAlice = (remoteAddress: string) => app.inject({ url: '/', remoteAddress, headers: { 'x-user': 'alice' } })
  const first = await asAlice('203.0.113.1')
  t.same(first.json(), ['minute', 'hour', 'user-minute'], 'both instances counted the request')
  t.same(remaining(first.headers.ratelimit), { minute: 4, hour: 999, 'user-minute': 1 })
  t.equal(parseList(first.headers['ratelimit-policy'] as string).length, 3)
  t.equal((await asAlice('203.0.113.2')).statusCode, 200, 'from another address: its own IP quota')
  const refused = await asAlice('203.0.113.3')
  t.equal(refused.statusCode, 429, 'the per-user limit holds across addresses')
  t.equal(refused.json().policy, 'user-minute')
  t.equal((await app.inject({ url: '/', remoteAddress: '203.0.113.3' })).statusCode, 200, 'anonymous: IP limit only')
  for (let i = 0; i < 4; i++) await app.inject({ url: '/', remoteAddress: '203.0.113.4' })
  t.equal((await app.inject({ url: '/', remoteAddress: '203.0.113.4', headers: { 'x-user': 'bob' } })).statusCode, 200)
  const ipRefused = await app.inject({ url: '/', remoteAddress: '203.0.113.4', headers: { 'x-user': 'bob' } })
  t.equal(ipRefused.statusCode, 429, 'the IP limit still applies to an authenticated user')
  t.equal(ipRefused.json().policy, 'minute')
})

t.test('per-route limits are keyed by route pattern: every id of /api/users/:id shares one limit', async (t) => {
  const app = Fastify()
  await app.register(rampartRateLimit, { now: new FakeClock().now })
  app.get(
    '/api/users/:id',
    { config: { rampart: { rateLimit: { users: { limit: 2, window: 60 } } } } },
    async () => 'ok',
  )
  t.equal((await app.inject('/api/users/1')).statusCode, 200)
  t.equal((await app.inject('/api/users/2')).statusCode, 200)
  t.equal((await app.inject('/api/users/3')).statusCode, 429)
  t.equal(
    (await app.inject({ method: 'HEAD', url: '/api/users/4' })).statusCode,
    429,
    'the automatic HEAD route shares it',
  )
})

t.test('path variants that reach a limited route share its limit', async (t) => {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true } })
  await app.register(rampartRateLimit, { now: new FakeClock().now })
  app.post(
    '/api/auth/login',
    { config: { rampart: { rateLimit: { login: { limit: 3, window: 300 } } } } },
    async () => 'ok',
  )
  const variants = ['/api/auth/login/', '//api/auth/login', '/api/auth/%6Cogin']
  for (const url of variants) t.equal((await app.inject({ method: 'POST', url })).statusCode, 200, url)
  for (const url of [...variants, '/api/auth/login']) {
    t.equal((await app.inject({ method: 'POST', url })).statusCode, 429, `${url} is refused: one limit`)
  }
})

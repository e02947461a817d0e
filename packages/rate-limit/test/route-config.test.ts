import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'

t.test('rateLimit: false opts a route out of every limiter', async (t) => {
  const app = Fastify()
  await app.register(rampartRateLimit, { perMinute: 1, burst: 0, now: new FakeClock().now })
  await app.register(rampartRateLimit, {
    name: 'second',
    prefix: 'rl2:',
    policies: { second: { limit: 1, window: 1 } },
  })
  app.get('/webhook', { config: { rampart: { rateLimit: false } } }, async () => 'ok')
  app.get('/', async () => 'ok')
  for (let i = 0; i < 5; i++) {
    const response = await app.inject('/webhook')
    t.equal(response.statusCode, 200)
    t.equal(response.headers.ratelimit, undefined)
  }
  t.equal((await app.inject('/')).statusCode, 200)
  t.equal((await app.inject('/')).statusCode, 429)
})

t.test('route policies are counted per client', async (t) => {
  const app = Fastify()
  await app.register(rampartRateLimit, { now: new FakeClock().now })
  app.post('/login', { config: { rampart: { rateLimit: { login: { limit: 1, window: 60 } } } } }, async () => 'ok')
  t.equal((await app.inject({ method: 'POST', url: '/login', remoteAddress: '203.0.113.1' })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/login', remoteAddress: '203.0.113.1' })).statusCode, 429)
  t.equal((await app.inject({ method: 'POST', url: '/login', remoteAddress: '203.0.113.2' })).statusCode, 200)
})

t.test('a route policy names the instance that enforces it with `limiter`', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  await app.register(rampartRateLimit, { now: clock.now })
  await app.register(rampartRateLimit, {
    name: 'user',
    prefix: 'rl-user:',
    hook: 'preHandler',
    policies: { 'user-minute': { limit: 100, window: 60 } },
    now: clock.now,
  })
  app.get(
    '/export',
    {
      config: {
        rampart: {
          rateLimit: {
            'export-ip': { limit: 5, window: 60 },
            'export-user': { limit: 2, window: 3600, limiter: 'user' },
          },
        },
      },
    },
    async () => 'ok',
  )
  const first = await app.inject('/export')
  t.equal(
    first.headers['ratelimit-policy'],
    '"minute";q=70;w=60, "hour";q=1000;w=3600, "export-ip";q=5;w=60, "user-minute";q=100;w=60, "export-user";q=2;w=3600',
  )
  t.equal((await app.inject('/export')).statusCode, 200)
  const refused = await app.inject('/export')
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().policy, 'export-user')
})

t.test('bad route configs fail route registration with a coded error naming the route', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ login: { limit: -1, window: 60 } }, /"config\.rampart\.rateLimit\.login \(route GET \/x\)\.limit" must be >= 0/],
    [{ login: { limit: 1 } }, /"config\.rampart\.rateLimit\.login \(route GET \/x\)\.window" must be an integer/],
    [{ login: { limit: 1, window: 60, algorithm: 'leaky' } }, /algorithm" must be one of/],
    [{ login: { limit: 1, window: 60, windw: 1 } }, /windw" is not a known option/],
    [{ 'bad name': { limit: 1, window: 60 } }, /is not a valid policy name/],
    [{ minute: { limit: 1, window: 60 } }, /is already a global policy of rate-limit instance "default"/],
    ['lots', /must be an object/],
  ]
  for (const [config, message] of cases) {
    const app = Fastify()
    await app.register(rampartRateLimit)
    const register = async () => {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong route config
      app.get('/x', { config: { rampart: { rateLimit: config as any } } }, async () => 'ok')
      await app.ready()
    }
    await t.rejects(register, { code: 'RAMPART_RATE_LIMIT_INVALID_OPTION', message })
  }
})

t.test('a route naming a limiter that does not exist fails at ready', async (t) => {
  // A typo must not leave the login route unlimited.
  const app = Fastify()
  await app.register(rampartRateLimit)
  app.post(
    '/login',
    { config: { rampart: { rateLimit: { login: { limit: 5, window: 60, limiter: 'usr' } } } } },
    async () => 'ok',
  )
  await t.rejects(async () => app.ready(), {
    code: 'RAMPART_RATE_LIMIT_UNKNOWN_LIMITER',
    message: /route POST \/login names limiter "usr"/,
  })
})

t.test('routes registered before the plugin keep the global limits (and the ignored config is reported)', async (t) => {
  const lines: string[] = []
  const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => lines.push(line) } } })
  app.get('/early', { config: { rampart: { rateLimit: false } } }, async () => 'ok')
  await app.register(rampartRateLimit, { perMinute: 1, burst: 0, now: new FakeClock().now })
  t.equal((await app.inject('/early')).statusCode, 200)
  t.equal((await app.inject('/early')).statusCode, 429, 'limited by the global policies')
  t.equal(lines.filter((line) => line.includes('rate-limit-route-config-ignored')).length, 1)
})

t.test('routes naming one `group` share one count; a group with other policies fails', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  await app.register(rampartRateLimit, { perMinute: 100, now: clock.now })
  const login = { login: { limit: 3, window: 60, group: 'login' } }
  app.post('/api/auth/login', { config: { rampart: { rateLimit: login } } }, async () => 'ok')
  app.post('/auth/login', { config: { rampart: { rateLimit: login } } }, async () => 'ok')
  app.post('/api/other', { config: { rampart: { rateLimit: { login: { limit: 3, window: 60 } } } } }, async () => 'ok')
  const statuses: number[] = []
  for (const url of ['/api/auth/login', '/auth/login', '/api/auth/login', '/auth/login']) {
    statuses.push((await app.inject({ method: 'POST', url })).statusCode)
  }
  t.same(statuses, [200, 200, 200, 429], 'both spellings of login draw on one count')
  t.equal((await app.inject({ method: 'POST', url: '/api/other' })).statusCode, 200, 'no group: its own count')

  const conflicting = Fastify()
  await conflicting.register(rampartRateLimit, { now: clock.now })
  conflicting.post(
    '/a',
    { config: { rampart: { rateLimit: { login: { limit: 3, window: 60, group: 'g' } } } } },
    async () => 'ok',
  )
  t.throws(
    () =>
      conflicting.post(
        '/b',
        { config: { rampart: { rateLimit: { login: { limit: 5, window: 60, group: 'g' } } } } },
        async () => 'ok',
      ),
    { code: 'RAMPART_RATE_LIMIT_INVALID_OPTION', message: /group "g" with other policies/ },
  )
  t.throws(
    () =>
      conflicting.post(
        '/c',
        { config: { rampart: { rateLimit: { x: { limit: 1, window: 60, group: 'bad group' } } } } },
        async () => 'ok',
      ),
    { message: /group/ },
  )
})

t.test('every spelling of the login route shares its limit (slashes, case when case-insensitive, %6C)', async (t) => {
  const app = Fastify({
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  })
  await app.register(rampartRateLimit, { perMinute: 100, now: new FakeClock().now })
  app.post(
    '/api/auth/login',
    { config: { rampart: { rateLimit: { login: { limit: 5, window: 60 } } } } },
    async () => 'ok',
  )
  const spellings = ['/api/auth/login', '/api/auth/login/', '//api/auth/login', '/API/auth/login', '/api/auth/%6Cogin']
  const statuses: number[] = []
  for (const url of [...spellings, '/API/AUTH/LOGIN/'])
    statuses.push((await app.inject({ method: 'POST', url })).statusCode)
  t.same(statuses, [200, 200, 200, 200, 200, 429])
})

import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import t from 'tap'
import rampart, { type PresetOptions } from '../src/index.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const SECRET = randomBytes(32).toString('hex')
const API_KEY = `rk_${randomBytes(24).toString('base64url')}`

/** The Phase 2 preset with the demo's three kinds of route, capturing the logs. */
async function build(options: PresetOptions = {}): Promise<{ app: FastifyInstance; logs: string[] }> {
  const logs: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk))
      done()
    },
  })
  const app = Fastify({ logger: { level: 'warn', stream } })
  await app.register(rampart, {
    phase: 2,
    jwt: { secret: SECRET },
    apiKey: {
      keys: [{ id: 'reports', owner: 'reporting-service', scopes: ['reports:read'], tier: 'pro', key: API_KEY }],
    },
    rateLimit: { perMinute: 2, perHour: 100, burst: 0 },
    ...options,
  })
  app.get('/api/test', async (request) => ({ identity: request.identity ?? null }))
  app.get(
    '/api/protected',
    { config: { rampart: { auth: { required: true, strategies: ['jwt'] } } } },
    async (request) => ({
      user_id: request.identity?.id,
      tier: request.identity?.tier,
    }),
  )
  app.get(
    '/api/reports',
    { config: { rampart: { auth: { strategies: ['api-key'], scopes: ['reports:read'] } } } },
    async (request) => ({ owner: request.identity?.id }),
  )
  await app.ready()
  t.teardown(() => app.close())
  return { app, logs }
}

t.test('phase 2 and up need a JWT configuration', async (t) => {
  const app = Fastify()
  app.register(rampart, {})
  await t.rejects(async () => app.ready(), { code: 'RAMPART_PRESET_INVALID_OPTION', message: /jwt/ })
  const apiKeyOnly = Fastify()
  apiKeyOnly.register(rampart, { jwt: false, apiKey: { keys: [{ id: 'k', owner: 'o', key: API_KEY }] } })
  await apiKeyOnly.ready()
  t.equal(apiKeyOnly.rampartApiKey?.name, 'api-key')
  await apiKeyOnly.close()
  const neither = Fastify()
  neither.register(rampart, { jwt: false })
  await t.rejects(async () => neither.ready(), { message: /auth.*needs `jwt` or `apiKey`/ })
  const phase1 = Fastify()
  phase1.register(rampart, { phase: 1, jwt: { secret: SECRET } })
  await t.rejects(async () => phase1.ready(), { message: /jwt.*phase 2 option/ })
})

t.test('JWT, API key and public routes side by side; refusals carry the Phase 1 headers', async (t) => {
  const { app, logs } = await build()
  const token = app.rampartJwt.issue({ id: 'alice', kind: 'user', tier: 'basic', scopes: ['read:users'] }).access_token

  const publicRoute = await app.inject('/api/test')
  t.equal(publicRoute.statusCode, 200)
  t.same(publicRoute.json(), { identity: null }, 'public routes stay public')

  const missing = await app.inject('/api/protected')
  t.equal(missing.statusCode, 401)
  t.match(missing.headers['content-type'], /application\/problem\+json/)
  t.match(missing.headers['www-authenticate'], /^Bearer/)
  t.ok(missing.headers['x-request-id'], 'request id on an auth refusal')
  t.equal(missing.headers['x-content-type-options'], 'nosniff', 'security headers on an auth refusal')

  const ok = await app.inject({ url: '/api/protected', headers: { authorization: `Bearer ${token}` } })
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { user_id: 'alice', tier: 'basic' })

  const bad = await app.inject({ url: '/api/protected', headers: { authorization: `Bearer ${token}x` } })
  t.equal(bad.statusCode, 401)
  t.match(bad.headers['www-authenticate'], /error="invalid_token"/)

  const byKey = await app.inject({ url: '/api/reports', headers: { 'x-api-key': API_KEY } })
  t.equal(byKey.statusCode, 200)
  t.same(byKey.json(), { owner: 'reporting-service' })
  const wrongKey = await app.inject({ url: '/api/reports', headers: { 'x-api-key': `${API_KEY}x` } })
  t.equal(wrongKey.statusCode, 401)
  const jwtOnKeyRoute = await app.inject({ url: '/api/reports', headers: { authorization: `Bearer ${token}` } })
  t.equal(jwtOnKeyRoute.statusCode, 401, 'the API key route does not accept a JWT')

  t.match(logs.join(''), /no Redis configured/, 'in-memory limits are reported at start-up')
})

t.test('the limiter runs after auth: users by identity, with the tier multipliers', async (t) => {
  const { app } = await build({ rateLimit: { perMinute: 2, perHour: 100, burst: 0 } })
  const bearer = (tier: string) => ({
    authorization: `Bearer ${app.rampartJwt.issue({ id: `u-${tier}`, kind: 'user', tier, scopes: [] }).access_token}`,
  })
  const anonymous = await app.inject({ url: '/api/test', remoteAddress: '203.0.113.9' })
  t.equal(anonymous.headers['x-ratelimit-limit'], '2', 'anonymous: the limit as written')
  const free = await app.inject({ url: '/api/test', headers: bearer('free') })
  t.equal(free.headers['x-ratelimit-limit'], '4', 'authenticated: × 2')
  const pro = await app.inject({ url: '/api/test', headers: bearer('pro') })
  t.equal(pro.headers['x-ratelimit-limit'], '20', 'pro: × 2 × 5')

  // One user is one client from every address.
  const headers = bearer('free')
  const statuses: number[] = []
  for (const remoteAddress of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5']) {
    statuses.push((await app.inject({ url: '/api/test', remoteAddress, headers })).statusCode)
  }
  t.same(statuses, [200, 200, 200, 429, 429], 'u-free had used 1 of 4 already')
})

t.test('with `redis` the limits are shared through Redis', async (t) => {
  const prefix = `rampart-test:preset:${randomBytes(6).toString('hex')}:`
  const admin = new Redis(REDIS_URL)
  t.teardown(async () => {
    const keys = await admin.keys(`${prefix}*`)
    if (keys.length > 0) await admin.del(...keys)
    await admin.quit()
  })
  const options: PresetOptions = { redis: REDIS_URL, rateLimit: { perMinute: 3, perHour: 100, burst: 0, prefix } }
  const first = await build(options)
  const second = await build(options)
  const statuses: number[] = []
  for (const app of [first.app, second.app, first.app, second.app]) {
    statuses.push((await app.inject({ url: '/api/test', remoteAddress: '192.0.2.77' })).statusCode)
  }
  t.same(statuses, [200, 200, 200, 429], 'two instances share one limit')
  t.ok((await admin.keys(`${prefix}*`)).length > 0, 'counts live in Redis under the prefix')
  t.notMatch(first.logs.join(''), /no Redis configured/)
})

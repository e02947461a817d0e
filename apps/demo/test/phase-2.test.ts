import t from 'tap'
import { buildApp } from '../src/app.js'
import { DEVELOPMENT_API_KEY, loadConfig } from '../src/config.js'

async function demo(env: NodeJS.ProcessEnv = {}) {
  // Load shedding off: it answers 503 when this process's event loop lags 500 ms, which a CI machine
  // running several suites at once can cause; @rampart/ddos and the reliability suite test it.
  const app = await buildApp(loadConfig({ SECURITY_LOAD_SHEDDING: 'false', ...env }).config, { logger: false })
  t.teardown(() => app.close())
  return app
}

const login = (username: string, password: string, url = '/api/auth/login') => ({
  method: 'POST' as const,
  url,
  payload: { username, password },
})

t.test('login returns a bearer token that GET /api/protected accepts', async (t) => {
  const app = await demo()
  const response = await app.inject(login('alice', 'alice-demo-password'))
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.equal(body.token_type, 'bearer')
  t.equal(body.expires_in, 3600)
  t.type(body.access_token, 'string')

  const protectedRoute = await app.inject({
    url: '/api/protected',
    headers: { authorization: `Bearer ${body.access_token}` },
  })
  t.equal(protectedRoute.statusCode, 200)
  t.match(protectedRoute.json(), { user_id: 'alice', kind: 'user', tier: 'free' })
  t.ok(protectedRoute.json().scopes.includes('read:posts'))

  const admin = (await app.inject(login('admin', 'admin-demo-password', '/auth/login'))).json()
  const asAdmin = await app.inject({
    url: '/api/protected',
    headers: { authorization: `Bearer ${admin.access_token}` },
  })
  t.match(asAdmin.json(), { user_id: 'admin', tier: 'enterprise' }, '/auth/login is the same handler')
})

t.test('wrong credentials, missing and bad tokens are 401 problem+json with a challenge', async (t) => {
  const app = await demo()
  for (const attempt of [login('alice', 'wrong'), login('nobody', 'alice-demo-password')]) {
    const response = await app.inject(attempt)
    t.equal(response.statusCode, 401)
    t.match(response.headers['content-type'], /application\/problem\+json/)
    t.match(response.headers['www-authenticate'], /^Bearer/)
    t.equal(response.json().code, 'RAMPART_DEMO_INVALID_CREDENTIALS')
  }
  const malformed = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice' } })
  t.equal(malformed.statusCode, 400)
  t.match(malformed.headers['content-type'], /application\/problem\+json/)

  const missing = await app.inject('/api/protected')
  t.equal(missing.statusCode, 401)
  t.match(missing.headers['www-authenticate'], /^Bearer/)
  const garbage = await app.inject({ url: '/api/protected', headers: { authorization: 'Bearer abc.def.ghi' } })
  t.equal(garbage.statusCode, 401)
  t.match(garbage.headers['www-authenticate'], /error="invalid_token"/)
})

t.test('login is limited to 5 attempts a minute per client, across both login paths and their spellings', async (t) => {
  const app = await demo()
  const remoteAddress = '203.0.113.50'
  const urls = [
    '/api/auth/login',
    '/auth/login',
    '/api/auth/login/',
    '//api/auth/login',
    '/api/auth/%6Cogin',
    '/api/auth/login',
  ]
  const statuses: number[] = []
  for (const url of urls)
    statuses.push((await app.inject({ ...login('alice', 'wrong', url), remoteAddress })).statusCode)
  t.same(statuses.slice(0, 5), [401, 401, 401, 401, 401])
  const limited = await app.inject({ ...login('alice', 'alice-demo-password'), remoteAddress })
  t.equal(limited.statusCode, 429, 'even the right password waits: the budget is spent')
  t.ok(limited.headers['retry-after'])
  const other = await app.inject({ ...login('alice', 'alice-demo-password'), remoteAddress: '203.0.113.51' })
  t.equal(other.statusCode, 200, 'another client has its own budget')
})

t.test('the API-key route accepts the documented key and nothing else', async (t) => {
  const app = await demo()
  const ok = await app.inject({ url: '/api/reports', headers: { 'x-api-key': DEVELOPMENT_API_KEY } })
  t.equal(ok.statusCode, 200)
  t.match(ok.json(), { owner: 'demo-client', kind: 'api-key', tier: 'basic', scopes: ['reports:read'] })
  const wrong = await app.inject({ url: '/api/reports', headers: { 'x-api-key': `${DEVELOPMENT_API_KEY}x` } })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.headers['www-authenticate'], /ApiKey|api-key/i)
  const none = await app.inject('/api/reports')
  t.equal(none.statusCode, 401)
  const token = (await app.inject(login('alice', 'alice-demo-password'))).json().access_token
  const jwt = await app.inject({ url: '/api/reports', headers: { authorization: `Bearer ${token}` } })
  t.equal(jwt.statusCode, 401, 'a JWT does not open the API-key route')
})

t.test('public Phase 1 routes stay public; an authenticated user gets twice the limit', async (t) => {
  const app = await demo({ SECURITY_RATE_LIMIT_PER_MINUTE: '3', SECURITY_RATE_LIMIT_BURST: '0' })
  const anonymous = await app.inject({ url: '/api/test', remoteAddress: '198.51.100.20' })
  t.equal(anonymous.statusCode, 200)
  t.equal(anonymous.headers['x-ratelimit-limit'], '3')
  const stray = await app.inject({ url: '/api/test', headers: { authorization: 'Bearer not-a-token' } })
  t.equal(stray.statusCode, 200, 'credentials on a public route are not looked at')
  t.equal(stray.json().headers.authorization, '[redacted]')
  const token = (await app.inject(login('alice', 'alice-demo-password'))).json().access_token
  const asAlice = await app.inject({ url: '/api/protected', headers: { authorization: `Bearer ${token}` } })
  t.equal(asAlice.statusCode, 200)
  t.equal(asAlice.headers['x-ratelimit-limit'], '6', 'alice (free tier): × 2')
})

t.test('RAMPART_PHASE=1 has no authentication routes', async (t) => {
  const app = await demo({ RAMPART_PHASE: '1' })
  t.equal((await app.inject(login('alice', 'alice-demo-password'))).statusCode, 404)
  t.equal((await app.inject('/api/protected')).statusCode, 404)
})

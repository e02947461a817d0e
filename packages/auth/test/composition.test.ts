import t from 'tap'
import { build, readerKey, serviceKey } from './fixtures/app.js'

t.test('first mode, JWT first: a token decides before an API key is even looked at', async (t) => {
  const { app, jwt } = await build()
  const response = await app.inject({ url: '/api/data', headers: { 'x-token': 'alice', 'x-api-key': serviceKey.key } })
  t.equal(response.statusCode, 200)
  t.equal(response.json().identity.id, 'alice')
  t.same(response.json().authentication.strategies, ['jwt'])
  const keyOnly = await app.inject({ url: '/api/data', headers: { 'x-api-key': serviceKey.key } })
  t.equal(keyOnly.json().identity.id, 'billing-service')
  t.equal(keyOnly.json().identity.kind, 'api-key')
  t.same(keyOnly.json().authentication.strategies, ['api-key'])
  t.equal(jwt.calls, 2, 'the JWT strategy ran first both times')
})

t.test('any order: API key first makes the key decide', async (t) => {
  const { app, jwt } = await build({}, 'api-key-first')
  const response = await app.inject({ url: '/api/data', headers: { 'x-token': 'alice', 'x-api-key': serviceKey.key } })
  t.equal(response.json().identity.id, 'billing-service')
  t.equal(jwt.calls, 0, 'the token was never looked at')
})

t.test('an invalid first credential is 401 and never falls through to a valid second one', async (t) => {
  const { app } = await build()
  const response = await app.inject({
    url: '/api/data',
    headers: { 'x-token': 'expired-or-forged', 'x-api-key': serviceKey.key },
  })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'RAMPART_AUTH_INVALID')
  t.equal(response.json().detail, 'jwt: expired token')
  const reversed = await build({}, 'api-key-first')
  const other = await reversed.app.inject({
    url: '/api/data',
    headers: { 'x-token': 'alice', 'x-api-key': 'rk_revoked-key-value' },
  })
  t.equal(other.statusCode, 401)
  t.equal(other.json().detail, 'api-key: unknown API key')
})

t.test('all mode: every strategy must authenticate', async (t) => {
  const { app } = await build({ mode: 'all' })
  const both = await app.inject({ url: '/api/data', headers: { 'x-token': 'alice', 'x-api-key': readerKey.key } })
  t.equal(both.statusCode, 200)
  t.same(both.json().identity, { id: 'alice', kind: 'user', tier: 'pro', scopes: ['read'] }, 'scopes granted by both')
  t.same(both.json().authentication.strategies, ['jwt', 'api-key'])
  t.same(
    both.json().authentication.identities.map((identity: { id: string }) => identity.id),
    ['alice', 'reporting'],
  )
  for (const headers of [{ 'x-token': 'alice' }, { 'x-api-key': readerKey.key }]) {
    const response = await app.inject({ url: '/api/data', headers })
    t.equal(response.statusCode, 401)
    t.equal(response.json().code, 'RAMPART_AUTH_MISSING')
    t.match(response.json().detail, /^Authentication incomplete: also required: (jwt|api-key)$/)
  }
  const invalid = await app.inject({ url: '/api/data', headers: { 'x-token': 'alice', 'x-api-key': 'rk_bad-bad-bad' } })
  t.equal(invalid.json().code, 'RAMPART_AUTH_INVALID')
  t.equal((await app.inject('/api/data')).json().code, 'RAMPART_AUTH_MISSING')
})

t.test('all mode on an optional route: nothing sent passes anonymously, half is 401', async (t) => {
  const { app } = await build({ mode: 'all' })
  t.same((await app.inject('/api/optional')).json().identity, null)
  t.equal((await app.inject({ url: '/api/optional', headers: { 'x-token': 'alice' } })).statusCode, 401)
})

t.test('per route: strategies and mode', async (t) => {
  const { app, jwt } = await build()
  // GET /api/protected accepts only a JWT: a valid API key there is no credential at all.
  const keyOnly = await app.inject({ url: '/api/protected', headers: { 'x-api-key': serviceKey.key } })
  t.equal(keyOnly.statusCode, 401)
  t.equal(keyOnly.headers['www-authenticate'], 'Bearer realm="api"')
  t.equal((await app.inject({ url: '/api/protected', headers: { 'x-token': 'bob' } })).json().identity.id, 'bob')
  // GET /api/service accepts only an API key; the token is not even read.
  const before = jwt.calls
  const service = await app.inject({
    url: '/api/service',
    headers: { 'x-token': 'alice', 'x-api-key': serviceKey.key },
  })
  t.equal(service.json().identity.id, 'billing-service')
  t.equal(jwt.calls, before)
  // GET /api/both is `all` even though the plugin is `first`.
  t.equal((await app.inject({ url: '/api/both', headers: { 'x-token': 'alice' } })).statusCode, 401)
  const both = await app.inject({ url: '/api/both', headers: { 'x-token': 'alice', 'x-api-key': serviceKey.key } })
  t.equal(both.statusCode, 200)
})

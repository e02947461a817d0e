import t from 'tap'
import { createTokenIssuer } from '../src/index.js'
import { bearer, build } from './fixtures/app.js'
import { claims, hmacToken, nowSeconds, SECRET } from './fixtures/tokens.js'

// The seed's Phase 2 test (`test_jwt_authentication`, `test_public_paths`), made real.

t.test('protected path: no token is 401 with a bare Bearer challenge', async (t) => {
  const app = await build()
  const response = await app.inject('/api/protected')
  t.equal(response.statusCode, 401)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.equal(response.headers['www-authenticate'], 'Bearer realm="api"')
  t.match(response.json(), { status: 401, code: 'RAMPART_JWT_MISSING', detail: 'a bearer token is required' })
})

t.test('protected path: a valid token is 200 and sets request.identity', async (t) => {
  const app = await build()
  const token = hmacToken(SECRET, claims(nowSeconds(), { tier: 'pro', scope: 'read write' }))
  const response = await app.inject({ url: '/api/protected', headers: bearer(token) })
  t.equal(response.statusCode, 200)
  t.match(response.json().identity, { id: 'user-1', kind: 'user', tier: 'pro', scopes: ['read', 'write'] })
})

t.test('protected path: an expired token is 401 invalid_token "token expired"', async (t) => {
  const app = await build()
  const now = nowSeconds()
  const token = hmacToken(SECRET, { sub: 'user-1', iat: now - 7200, exp: now - 3600 })
  const response = await app.inject({ url: '/api/protected', headers: bearer(token) })
  t.equal(response.statusCode, 401)
  t.equal(
    response.headers['www-authenticate'],
    'Bearer realm="api", error="invalid_token", error_description="token expired"',
  )
  t.match(response.json(), { code: 'RAMPART_JWT_INVALID', detail: 'token expired' })
})

t.test('public paths are never checked, even with a bad token', async (t) => {
  const app = await build()
  t.equal((await app.inject('/health')).statusCode, 200)
  t.equal((await app.inject({ url: '/health', headers: bearer('garbage') })).statusCode, 200)
  t.same((await app.inject({ url: '/health', headers: bearer('garbage') })).json(), { identity: null })
  t.equal((await app.inject({ method: 'POST', url: '/api/auth/login' })).statusCode, 200, 'route config false')
})

t.test('optional routes: no token passes anonymously, a valid one sets the identity, a bad one is 401', async (t) => {
  const app = await build()
  t.same((await app.inject('/api/optional')).json(), { identity: null })
  const token = hmacToken(SECRET, claims(nowSeconds()))
  t.equal((await app.inject({ url: '/api/optional', headers: bearer(token) })).json().identity.id, 'user-1')
  t.equal((await app.inject({ url: '/api/optional', headers: bearer('x.y.z') })).statusCode, 401)
})

t.test('a token signed with another secret is 401 "bad signature"', async (t) => {
  const app = await build()
  const token = hmacToken('another-secret-0123456789abcdef-0123', claims(nowSeconds()))
  const response = await app.inject({ url: '/api/protected', headers: bearer(token) })
  t.equal(response.statusCode, 401)
  t.equal(response.json().detail, 'invalid token: bad signature')
})

t.test('what the issuer signs, the plugin accepts (the demo setup: HS256 secret, expiry in minutes)', async (t) => {
  const app = await build({ expiresIn: 30 * 60 })
  app.post('/login', { config: { rampart: { jwt: false } } }, async () => app.rampartJwt.issue({ sub: 'alice' }))
  const login = (await app.inject({ method: 'POST', url: '/login' })).json()
  t.equal(login.token_type, 'bearer')
  t.equal(login.expires_in, 1800)
  const response = await app.inject({ url: '/api/protected', headers: bearer(login.access_token) })
  t.equal(response.statusCode, 200)
  t.equal(response.json().identity.id, 'alice')
  const standalone = createTokenIssuer({ secret: SECRET })
  t.equal(
    (await app.inject({ url: '/api/protected', headers: bearer(standalone.sign({ sub: 'bob' })) })).statusCode,
    200,
  )
})

t.test('scopes on a route: missing one is 403 insufficient_scope', async (t) => {
  const app = await build()
  const reader = hmacToken(SECRET, claims(nowSeconds(), { scope: 'read' }))
  const writer = hmacToken(SECRET, claims(nowSeconds(), { scopes: ['write'] }))
  const refused = await app.inject({ method: 'POST', url: '/api/write', headers: bearer(reader) })
  t.equal(refused.statusCode, 403)
  t.equal(refused.headers['www-authenticate'], 'Bearer realm="api", error="insufficient_scope", scope="write"')
  t.equal(refused.json().code, 'RAMPART_JWT_INSUFFICIENT_SCOPE')
  t.equal((await app.inject({ method: 'POST', url: '/api/write', headers: bearer(writer) })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/api/write' })).statusCode, 401)
})

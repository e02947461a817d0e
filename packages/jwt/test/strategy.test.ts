import Fastify from 'fastify'
import t from 'tap'
import { createJwtStrategy, rampartJwt } from '../src/index.js'
import { jwksServer } from './fixtures/jwks-server.js'
import { asymmetricToken, hmacToken, nowSeconds, rsa, SECRET } from './fixtures/tokens.js'

const bearerRequest = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as never

t.test('createJwtStrategy implements AuthStrategy: absent, authenticated, invalid', async (t) => {
  const app = Fastify()
  const strategy = createJwtStrategy(app, { secret: SECRET })
  t.equal(strategy.name, 'jwt')
  t.equal(strategy.challenge, 'Bearer realm="api"')
  app.get('/', async (request) => strategy.authenticate(request))
  t.same((await app.inject('/')).json(), { status: 'absent' })
  const exp = nowSeconds() + 60
  t.same(
    (
      await app.inject({
        url: '/',
        headers: { authorization: `Bearer ${hmacToken(SECRET, { sub: 'u', exp, tier: 'pro' })}` },
      })
    ).json(),
    {
      status: 'authenticated',
      identity: { id: 'u', kind: 'user', tier: 'pro', scopes: [], claims: { sub: 'u', exp, tier: 'pro' } },
    },
  )
  t.same((await app.inject({ url: '/', headers: { authorization: 'Bearer x.y.z' } })).json(), {
    status: 'invalid',
    error: 'invalid_token',
    description: 'invalid token: malformed',
  })
  t.same((await app.inject({ url: '/', headers: { authorization: 'Bearer' } })).json(), {
    status: 'invalid',
    error: 'invalid_request',
    description: 'malformed request: expected one bearer token',
  })
})

t.test('the name and realm are configurable; the challenge stays a valid RFC 9110 challenge', async (t) => {
  const strategy = createJwtStrategy(Fastify(), { secret: SECRET, name: 'partner-jwt', realm: 'partners api' })
  t.equal(strategy.name, 'partner-jwt')
  t.equal(strategy.challenge, 'Bearer realm="partners api"')
})

t.test('a cache hit is answered synchronously (no promise on the hot path)', async (t) => {
  const strategy = createJwtStrategy(Fastify(), { secret: SECRET })
  const token = hmacToken(SECRET, { sub: 'u', exp: nowSeconds() + 60 })
  const first = strategy.authenticate(bearerRequest(token))
  const second = strategy.authenticate(bearerRequest(token))
  t.notOk(first instanceof Promise)
  t.notOk(second instanceof Promise)
  t.equal(first, second, 'the very same frozen outcome object')
  t.same(strategy.stats, { verifications: 1, cacheHits: 1, jwksFetches: 0 })
})

t.test(
  'when the JWKS cannot be fetched, authenticate rejects with RAMPART_JWT_KEYS_UNAVAILABLE (auth answers 503)',
  async (t) => {
    const server = await jwksServer(t)
    server.status = 503
    const app = Fastify()
    const strategy = createJwtStrategy(app, { jwks: { uri: server.url, issuers: ['https://i.example'] } })
    t.teardown(() => app.close())
    const token = asymmetricToken(
      rsa.privateKey,
      { sub: 'u', iss: 'https://i.example', exp: nowSeconds() + 60 },
      { alg: 'RS256', kid: 'k' },
    )
    await t.rejects(async () => strategy.authenticate(bearerRequest(token)), {
      code: 'RAMPART_JWT_KEYS_UNAVAILABLE',
      statusCode: 503,
    })
  },
)

t.test('the strategy and the standalone plugin can share one app', async (t) => {
  const app = Fastify()
  createJwtStrategy(app, { secret: SECRET })
  await app.register(rampartJwt, { secret: SECRET, requiredPaths: [] })
  app.get('/', async () => 'ok')
  await app.ready()
  t.equal((await app.inject('/')).statusCode, 200)
  await app.close()
})

t.test('closing the app closes the denylist', async (t) => {
  let closed = 0
  const app = Fastify()
  createJwtStrategy(app, {
    secret: SECRET,
    denylist: { add() {}, has: () => false, close: () => void closed++ },
  })
  await app.ready()
  await app.close()
  t.equal(closed, 1)
})

import type { AuthStrategy, Identity } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartJwt, {
  createJwtStrategy,
  type JwtPluginOptions,
  type JwtRouteOptions,
  type JwtStrategy,
  type TokenResponse,
} from '../src/index.js'
import { SECRET } from './fixtures/tokens.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const good: JwtPluginOptions = {
  keys: [
    { kid: 'a', algorithm: 'HS512', secret: SECRET.repeat(2) },
    { kid: 'b', algorithm: 'ES256', publicKey: { kty: 'EC', crv: 'P-256', x: '', y: '' } },
  ],
  issuer: 'https://auth.example',
  audience: ['api'],
  jwks: { uri: 'https://auth.example/jwks.json', issuers: ['https://auth.example'], algorithms: ['RS256', 'EdDSA'] },
  cookie: false,
  query: 'token',
  cache: { maxEntries: 100 },
  hook: 'preHandler',
}
// @ts-expect-error "none" is not an algorithm a key can have
const badAlgorithm: JwtPluginOptions = { keys: [{ algorithm: 'none', secret: SECRET }] }
// @ts-expect-error a JWKS never holds HMAC keys
const badJwks: JwtPluginOptions = { jwks: { uri: 'https://a', issuers: ['x'], algorithms: ['HS256'] } }
// @ts-expect-error paths are the plugin's, not a route's
const badRoute: JwtRouteOptions = { requiredPaths: ['/'] }
const asStrategy = (strategy: JwtStrategy): AuthStrategy => strategy
const identityOf = (request: { identity?: Identity | null }): string | undefined => request.identity?.id

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  await app.register(rampartJwt, { secret: SECRET })
  app.get('/typed', { config: { rampart: { jwt: { scopes: ['read'], required: true } } } }, async (request) =>
    identityOf(request),
  )
  const response: TokenResponse = app.rampartJwt.issue({ sub: 'alice' })
  t.equal(
    (await app.inject({ url: '/typed', headers: { authorization: `Bearer ${response.access_token}` } })).statusCode,
    403,
  )
  t.equal(asStrategy(createJwtStrategy(Fastify(), { secret: SECRET })).name, 'jwt')
  t.ok(good && badAlgorithm && badJwks && badRoute, 'the wrong values exist only for the compiler')
})

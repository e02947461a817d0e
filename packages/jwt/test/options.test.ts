import { generateKeyPairSync } from 'node:crypto'
import Fastify from 'fastify'
import t from 'tap'
import rampartJwt, { createJwtStrategy, DEFAULTS, resolveOptions } from '../src/index.js'
import { ec, rsa, rsaPublicPem, SECRET } from './fixtures/tokens.js'

const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
const ecPem = ec.publicKey.export({ type: 'spki', format: 'pem' }) as string
const rsaPrivatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string

t.test('bad options fail register with RAMPART_JWT_INVALID_OPTION naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{}, /option "keys" are missing: give `secret`, `keys` or `jwks`/],
    [{ secret: 'x'.repeat(31) }, /option "secret" must be at least 32 bytes for HS256 \(got 31\)/],
    [{ secret: 'x'.repeat(47), algorithm: 'HS384' }, /option "secret" must be at least 48 bytes for HS384/],
    [{ secret: 'x'.repeat(63), algorithm: 'HS512' }, /option "secret" must be at least 64 bytes for HS512/],
    [{ secret: Buffer.alloc(16) }, /option "secret" must be at least 32 bytes/],
    [{ secret: ` ${SECRET}` }, /option "secret" has leading or trailing whitespace/],
    [{ secret: `${SECRET}\n` }, /option "secret" has leading or trailing whitespace/],
    [{ secret: rsaPublicPem.trim() }, /option "secret" looks like a PEM or JWK key/],
    [
      { secret: JSON.stringify(rsa.publicKey.export({ format: 'jwk' })) },
      /option "secret" looks like a PEM or JWK key/,
    ],
    [{ secret: 42 }, /option "secret" must be a string or a Uint8Array/],
    [{ secret: SECRET, algorithm: 'none' }, /option "algorithm" must not be "none"/],
    [{ secret: SECRET, algorithm: 'RS256' }, /option "secret" is for HS256\/HS384\/HS512; RS256 takes publicKey/],
    [{ secret: SECRET, algorithm: 'HS1' }, /option "algorithm" must be one of HS256/],
    [{ secret: SECRET, keys: [] }, /option "secret" and `keys` are both given/],
    [{ algorithm: 'HS256', keys: [] }, /option "algorithm" goes with `secret`/],
    [{ keys: {} }, /option "keys" must be an array/],
    [{ keys: [{ algorithm: 'none' }] }, /option "keys\[0\].algorithm" must not be "none"/],
    [
      { keys: [{ algorithm: 'RS256', publicKey: `\n${rsaPublicPem}` }] },
      /option "keys\[0\].publicKey" has leading whitespace/,
    ],
    [{ keys: [{ algorithm: 'RS256', publicKey: `  ${rsaPublicPem}` }] }, /has leading whitespace before -----BEGIN/],
    [{ keys: [{ algorithm: 'RS256', publicKey: 'not a key' }] }, /option "keys\[0\].publicKey" must be a PEM key/],
    [{ keys: [{ algorithm: 'RS256', publicKey: rsaPrivatePem }] }, /is a private key; give it as privateKey/],
    [{ keys: [{ algorithm: 'RS256', publicKey: rsa.privateKey }] }, /must be a public KeyObject/],
    [{ keys: [{ algorithm: 'RS256', secret: SECRET }] }, /option "keys\[0\].secret" is for HS256/],
    [{ keys: [{ algorithm: 'HS256', secret: SECRET, publicKey: rsaPublicPem }] }, /HS256 takes a secret/],
    [{ keys: [{ algorithm: 'RS256' }] }, /RS256 needs publicKey \(to verify\) and\/or privateKey/],
    [{ keys: [{ algorithm: 'RS256', publicKey: small.publicKey }] }, /RSA key of 1024 bits; at least 2048/],
    [{ keys: [{ algorithm: 'ES256', publicKey: rsaPublicPem }] }, /is a rsa key, not an EC key/],
    [{ keys: [{ algorithm: 'ES256', publicKey: p384.publicKey }] }, /is on curve secp384r1; ES256 needs prime256v1/],
    [{ keys: [{ algorithm: 'RS256', publicKey: ecPem }] }, /is a ec key, not an RSA key/],
    [{ keys: [{ algorithm: 'EdDSA', publicKey: ecPem }] }, /not an Ed25519 or Ed448 key/],
    [
      {
        keys: [
          {
            algorithm: 'RS256',
            publicKey: rsa.publicKey,
            privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
          },
        ],
      },
      /publicKey and privateKey are not one key pair/,
    ],
    [{ keys: [{ algorithm: 'RS256', publicKey: { kty: 'oct', k: 'abc' } }] }, /is a private or symmetric JWK/],
    [
      { keys: [{ algorithm: 'HS256', secret: SECRET, kid: 'a b' }] },
      /option "keys\[0\].kid" must be 1..256 visible ASCII/,
    ],
    [{ keys: [{ algorithm: 'HS256', secret: SECRET, extra: 1 }] }, /option "keys\[0\].extra" is not a known option/],
    [
      {
        keys: [
          { kid: 'a', algorithm: 'HS256', secret: SECRET },
          { kid: 'a', algorithm: 'HS256', secret: SECRET },
        ],
      },
      /option "keys\[1\].kid" is the kid of another key/,
    ],
    [
      {
        keys: [
          { algorithm: 'HS256', secret: SECRET },
          { algorithm: 'HS384', secret: 'y'.repeat(48) },
        ],
      },
      /option "keys\[1\]" is a second key without a kid/,
    ],
    [{ secret: SECRET, signingKid: 'nope' }, /option "signingKid" is not the kid of any key/],
    [
      { keys: [{ kid: 'pub', algorithm: 'RS256', publicKey: rsa.publicKey }], signingKid: 'pub' },
      /option "signingKid" names a key that cannot sign/,
    ],
    [{ secret: SECRET, issuer: [] }, /option "issuer" must not be an empty list/],
    [{ secret: SECRET, audience: [''] }, /option "audience\[0\]" must be a non-empty string/],
    [{ secret: SECRET, clockTolerance: -1 }, /option "clockTolerance" must be >= 0/],
    [{ secret: SECRET, clockTolerance: 3600 }, /option "clockTolerance" must be <= 300/],
    [{ secret: SECRET, maxTokenLength: 10 }, /option "maxTokenLength" must be >= 256/],
    [{ secret: SECRET, cookie: 'a b' }, /option "cookie" must match/],
    [{ secret: SECRET, query: 'a&b' }, /option "query" must match/],
    [{ secret: SECRET, cache: { ttl: 0 } }, /option "cache.ttl" must be >= 1/],
    [{ secret: SECRET, cache: { size: 1 } }, /option "cache.size" is not a known option/],
    [{ secret: SECRET, denylist: {} }, /option "denylist.add" must be a function/],
    [{ secret: SECRET, expiresIn: 0 }, /option "expiresIn" must be >= 1/],
    [{ secret: SECRET, realm: 'a"b' }, /option "realm" must match/],
    [{ secret: SECRET, name: 'JWT' }, /option "name" must match/],
    [{ secret: SECRET, jwks: { uri: 'http://auth.example/jwks', issuers: ['x'] } }, /option "jwks.uri" must be https:/],
    [{ secret: SECRET, jwks: { uri: 'not a url', issuers: ['x'] } }, /option "jwks.uri" must be an absolute URL/],
    [{ jwks: { uri: 'https://auth.example/jwks' } }, /option "jwks.issuers" must be an array of strings/],
    [{ jwks: { uri: 'https://auth.example/jwks', issuers: [] } }, /option "jwks.issuers" must list the issuers/],
    [
      { jwks: { uri: 'https://a.example/j', issuers: ['x'], algorithms: ['HS256'] } },
      /option "jwks.algorithms\[0\]" must be one of RS256/,
    ],
    [{ jwks: { uri: 'https://a.example/j', issuers: ['x'], cooldown: 10 } }, /option "jwks.cooldown" must be >= 1000/],
    [{ jwks: { uri: 'https://a.example/j', issuers: ['x'], jku: true } }, /option "jwks.jku" is not a known option/],
    [
      { secret: SECRET, requiredPaths: ['/api'], publicPaths: ['/api/'] },
      /option "requiredPaths\[0\]" is also in publicPaths/,
    ],
    [{ secret: SECRET, publicPaths: ['health'] }, /option "publicPaths\[0\]" must start with "\/"/],
    [{ secret: SECRET, hook: 'onSend' }, /option "hook" must be one of/],
    [{ secret: SECRET, secrett: 'x' }, /option "secrett" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    app.register(rampartJwt, options as never)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_JWT_INVALID_OPTION', message }, String(message))
  }
})

t.test('createJwtStrategy validates too (no plugin-only options)', async (t) => {
  t.throws(() => createJwtStrategy(Fastify(), { secret: 'short' }), { code: 'RAMPART_JWT_INVALID_OPTION' })
  t.throws(() => createJwtStrategy(Fastify(), { secret: SECRET, requiredPaths: ['/'] } as never), {
    message: /option "requiredPaths" is not a known option/,
  })
})

t.test('a route config is validated at route registration', async (t) => {
  const app = Fastify()
  await app.register(rampartJwt, { secret: SECRET })
  t.throws(() => app.get('/x', { config: { rampart: { jwt: { scopes: 'read' } as never } } }, async () => 'x'), {
    code: 'RAMPART_JWT_INVALID_OPTION',
  })
  t.throws(() => app.get('/y', { config: { rampart: { jwt: { required: false, scopes: ['a'] } } } }, async () => 'y'), {
    message: /cannot be false when `scopes` are required/,
  })
})

t.test('defaults', async (t) => {
  const settings = resolveOptions({ secret: SECRET })
  t.match(settings, {
    name: 'jwt',
    realm: 'api',
    clockTolerance: 30,
    requireExpiration: true,
    maxTokenLength: 8192,
    cookie: 'access_token',
    query: false,
    tierClaim: 'tier',
    expiresIn: 3600,
    cache: { maxEntries: 10_000, ttl: 300_000 },
    requiredPaths: ['/'],
    publicPaths: ['/health', '/metrics', '/docs', '/openapi.json'],
    hook: 'onRequest',
    issuers: [],
    audiences: [],
  })
  t.equal(settings.keyring.withoutKid?.algorithm, 'HS256')
  t.ok(Object.isFrozen(DEFAULTS))
  t.ok(Object.isFrozen(settings))
})

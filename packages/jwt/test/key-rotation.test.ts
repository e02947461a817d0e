import Fastify from 'fastify'
import t from 'tap'
import { createJwtStrategy, createTokenIssuer } from '../src/index.js'
import { bearer, build } from './fixtures/app.js'
import { asymmetricToken, claims, hmacToken, nowSeconds, OTHER_SECRET, rsa, SECRET } from './fixtures/tokens.js'

const now = nowSeconds()
const keys = [
  { kid: '2025-06', algorithm: 'HS256' as const, secret: SECRET },
  { kid: '2025-01', algorithm: 'HS256' as const, secret: OTHER_SECRET },
  { kid: 'rsa-2025', algorithm: 'RS256' as const, publicKey: rsa.publicKey },
]

t.test('several keys at once: each token verified by the key its kid names', async (t) => {
  const app = await build({ keys })
  const current = hmacToken(SECRET, claims(now), { alg: 'HS256', kid: '2025-06' })
  const previous = hmacToken(OTHER_SECRET, claims(now), { alg: 'HS256', kid: '2025-01' })
  const rs = asymmetricToken(rsa.privateKey, claims(now), { alg: 'RS256', kid: 'rsa-2025' })
  for (const token of [current, previous, rs]) {
    t.equal((await app.inject({ url: '/api/protected', headers: bearer(token) })).statusCode, 200)
  }
  // The right secret under the wrong kid is a bad signature: kids are never tried in turn.
  const crossed = hmacToken(OTHER_SECRET, claims(now), { alg: 'HS256', kid: '2025-06' })
  const response = await app.inject({ url: '/api/protected', headers: bearer(crossed) })
  t.equal(response.statusCode, 401)
  t.equal(response.json().detail, 'invalid token: bad signature')
})

t.test('unknown kid, and kid strings built to reach a file, a URL or a query, are 401 unknown key', async (t) => {
  const app = await build({ keys })
  const kids = [
    'unknown',
    '../../dev/null',
    '/dev/null',
    '../../../../../../etc/passwd',
    "' OR '1'='1",
    "x'; DROP TABLE keys; --",
    'http://127.0.0.1:1/key',
    '',
    ' 2025-06',
    '2025-06 ',
    '2025-06\u0000',
    'x'.repeat(300),
  ]
  for (const kid of kids) {
    // Signed with the empty string and with SECRET: the kid alone never picks a key.
    for (const secret of [SECRET, '']) {
      const token = hmacToken(secret, claims(now), { alg: 'HS256', kid })
      const response = await app.inject({ url: '/api/protected', headers: bearer(token) })
      t.equal(response.statusCode, 401, JSON.stringify(kid))
      t.equal(response.json().detail, 'invalid token: unknown key', JSON.stringify(kid))
    }
  }
  t.equal(app.rampartJwt.stats.verifications, 0, 'no signature was even checked')
})

t.test('a token without kid needs the keyring key without kid', async (t) => {
  const withKids = await build({ keys })
  const response = await withKids.inject({ url: '/api/protected', headers: bearer(hmacToken(SECRET, claims(now))) })
  t.equal(response.statusCode, 401)
  t.equal(response.json().detail, 'invalid token: no key id')
  const withDefault = await build({ keys: [...keys, { algorithm: 'HS512', secret: 'z'.repeat(64) }] })
  const legacy = hmacToken('z'.repeat(64), claims(now), { alg: 'HS512' })
  t.equal((await withDefault.inject({ url: '/api/protected', headers: bearer(legacy) })).statusCode, 200)
})

t.test('rotation: sign with the new key, keep verifying the old one, then drop it', async (t) => {
  const oldIssuer = createTokenIssuer({ keys: [{ kid: 'k1', algorithm: 'HS256', secret: SECRET }] })
  const oldToken = oldIssuer.sign({ sub: 'u' })
  const during = createJwtStrategy(Fastify(), {
    keys: [
      { kid: 'k1', algorithm: 'HS256', secret: SECRET },
      { kid: 'k2', algorithm: 'HS256', secret: OTHER_SECRET },
    ],
    signingKid: 'k2',
  })
  const newToken = during.sign({ sub: 'u' })
  t.equal(JSON.parse(Buffer.from(newToken.split('.')[0] as string, 'base64url').toString()).kid, 'k2')
  const request = (token: string) => ({ headers: bearer(token) }) as never
  t.equal((await during.authenticate(request(oldToken))).status, 'authenticated')
  t.equal((await during.authenticate(request(newToken))).status, 'authenticated')
  const after = createJwtStrategy(Fastify(), { keys: [{ kid: 'k2', algorithm: 'HS256', secret: OTHER_SECRET }] })
  t.same(await after.authenticate(request(oldToken)), {
    status: 'invalid',
    error: 'invalid_token',
    description: 'invalid token: unknown key',
  })
  t.equal((await after.authenticate(request(newToken))).status, 'authenticated')
})

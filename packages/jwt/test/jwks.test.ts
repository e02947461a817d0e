import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import t, { type Test } from 'tap'
import { type JwtPluginOptions, rejectedChannel } from '../src/index.js'
import { bearer, build } from './fixtures/app.js'
import { FakeClock } from './fixtures/clock.js'
import { jwksServer } from './fixtures/jwks-server.js'
import { asymmetricToken, hmacToken, rsa, rsaPublicPem } from './fixtures/tokens.js'

const ISSUER = 'https://issuer.example/'

function jwk(publicKey: KeyObject, kid: string, extra: Record<string, unknown> = {}) {
  return { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256', ...extra }
}

const second = generateKeyPairSync('rsa', { modulusLength: 2048 })

async function setup(t: Test, options: Partial<JwtPluginOptions['jwks']> = {}) {
  const server = await jwksServer(t)
  server.body = { keys: [jwk(rsa.publicKey, 'a')] }
  const clock = new FakeClock()
  const app = await build({
    now: clock.now,
    jwks: { uri: server.url, issuers: [ISSUER], cooldown: 30_000, ttl: 600_000, timeout: 3_000, ...options },
  })
  t.teardown(() => app.close())
  const token = (kid: string, key: KeyObject = rsa.privateKey, extra: Record<string, unknown> = {}, header = {}) =>
    asymmetricToken(
      key,
      { sub: 'u', iss: ISSUER, exp: clock.seconds + 3600, jti: String(Math.random()), ...extra },
      { alg: 'RS256', kid, ...header },
    )
  const get = (value: string) => app.inject({ url: '/api/protected', headers: bearer(value) })
  return { server, clock, app, token, get }
}

t.test('keys are fetched by kid once and reused', async (t) => {
  const { server, token, get, app } = await setup(t)
  t.equal(server.hits, 0, 'nothing fetched before a token needs it')
  t.equal((await get(token('a'))).statusCode, 200)
  t.equal((await get(token('a'))).statusCode, 200)
  t.equal((await get(token('a'))).statusCode, 200)
  t.equal(server.hits, 1)
  t.equal(app.rampartJwt.stats.jwksFetches, 1)
})

t.test('the issuer allowlist: JWKS keys only verify tokens of the listed issuers', async (t) => {
  const { token, get } = await setup(t)
  for (const iss of ['https://evil.example/', 'https://issuer.example', undefined]) {
    const response = await get(token('a', rsa.privateKey, { iss }))
    t.equal(response.statusCode, 401, String(iss))
    t.equal(response.json().detail, 'invalid token: issuer not allowed')
  }
})

t.test('a flood of unknown kids fetches at most once per cooldown', async (t) => {
  const { server, clock, token, get } = await setup(t)
  t.equal((await get(token('a'))).statusCode, 200)
  t.equal(server.hits, 1)
  const flood = (n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => get(token(`unknown-${i}-${Math.random()}`))))
  const first = await flood(100)
  t.ok(first.every((response) => response.statusCode === 401))
  t.equal(server.hits, 1, 'within the cooldown: no fetch at all')
  clock.advance(30_000)
  server.delay = 50
  const second = await flood(100)
  t.ok(second.every((response) => response.statusCode === 401))
  t.ok(second.every((response) => response.json().detail === 'invalid token: unknown key'))
  t.equal(server.hits, 2, 'after the cooldown: one fetch shared by the whole flood')
  await flood(20)
  t.equal(server.hits, 2)
})

t.test('a key rotated in at the provider is found on the next fetch the cooldown allows', async (t) => {
  const { server, clock, token, get } = await setup(t)
  t.equal((await get(token('a'))).statusCode, 200)
  server.body = { keys: [jwk(rsa.publicKey, 'a'), jwk(second.publicKey, 'b')] }
  t.equal((await get(token('b', second.privateKey))).statusCode, 401, 'within the cooldown the new kid is unknown')
  clock.advance(30_001)
  t.equal((await get(token('b', second.privateKey))).statusCode, 200)
  t.equal(server.hits, 2)
})

t.test('after ttl the keys are refreshed in the background; a key removed there stops working', async (t) => {
  const { server, clock, token, get, app } = await setup(t, { ttl: 60_000 })
  t.equal((await get(token('a'))).statusCode, 200)
  server.body = { keys: [jwk(second.publicKey, 'b')] }
  clock.advance(60_000)
  t.equal((await get(token('a'))).statusCode, 200, 'the stale key still answers while the refresh runs')
  for (let waited = 0; server.hits < 2 && waited < 2000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  t.equal(server.hits, 2)
  let status = 200
  for (let waited = 0; status === 200 && waited < 2000; waited += 10) {
    app.rampartJwt.clearCache()
    status = (await get(token('a'))).statusCode
    if (status === 200) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  t.equal(status, 401, 'key "a" is gone from the JWKS once the refresh lands')
  t.equal(server.hits, 2, 'and no other fetch happened')
})

t.test('JWKS down: 503 (cannot tell a new key from a forged kid), never 500; back: works', async (t) => {
  const { server, clock, token, get } = await setup(t)
  server.status = 500
  const down = await get(token('a'))
  t.equal(down.statusCode, 503)
  t.equal(down.json().code, 'RAMPART_JWT_UNAVAILABLE')
  t.equal(down.headers['retry-after'], '1', 'says when to retry')
  t.equal((await get(token('a'))).statusCode, 503, 'still unknown, last fetch failed')
  server.status = 200
  t.equal((await get(token('a'))).statusCode, 503, 'no refetch within the cooldown')
  clock.advance(30_000)
  t.equal((await get(token('a'))).statusCode, 200)
})

t.test('a JWKS that is not one, too slow or too big is a failed fetch', async (t) => {
  for (const [name, arrange] of [
    ['not JSON', (s: { body: unknown }) => (s.body = '<html>')],
    ['no keys array', (s: { body: unknown }) => (s.body = { keys: 'x' })],
    ['only unusable keys', (s: { body: unknown }) => (s.body = { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'a' }] })],
    [
      'too big',
      (s: { body: unknown }) => (s.body = { keys: [jwk(rsa.publicKey, 'a', { pad: 'x'.repeat(1_100_000) })] }),
    ],
    ['too slow', (s: { delay: number }) => (s.delay = 2000)],
  ] as const) {
    const { server, token, get } = await setup(t, { timeout: 500 })
    arrange(server as never)
    const started = Date.now()
    const response = await get(token('a'))
    t.equal(response.statusCode, 503, name)
    t.ok(Date.now() - started < 1500, `${name}: bounded by the timeout`)
  }
})

t.test('jku, x5u and kid never make the strategy fetch anything else', async (t) => {
  const { server, token, get } = await setup(t)
  const attacker = await jwksServer(t)
  const evil = generateKeyPairSync('rsa', { modulusLength: 2048 })
  attacker.body = { keys: [jwk(evil.publicKey, 'evil')] }
  for (const header of [{ jku: attacker.url }, { x5u: attacker.url }, { jku: attacker.url, x5u: attacker.url }]) {
    for (const kid of ['evil', 'a']) {
      const response = await get(token(kid, evil.privateKey, {}, header))
      t.equal(response.statusCode, 401, `${JSON.stringify(header)} kid ${kid}`)
    }
  }
  t.equal((await get(token('a', rsa.privateKey, {}, { jku: attacker.url }))).statusCode, 200, 'ignored on a real token')
  for (const kid of ['../../dev/null', attacker.url, "' OR 1=1 --"]) {
    t.equal((await get(token(kid, evil.privateKey))).statusCode, 401, kid)
  }
  t.equal(attacker.hits, 0, 'the attacker server was never contacted')
  t.ok(server.hits <= 1, 'only the configured JWKS, once per cooldown')
})

t.test('HS256 with a JWKS key kid, MACed with that key, is 401; symmetric and private JWKs are ignored', async (t) => {
  const { server, get, clock } = await setup(t)
  server.body = {
    keys: [
      jwk(rsa.publicKey, 'a'),
      { kty: 'oct', k: Buffer.from('s'.repeat(32)).toString('base64url'), kid: 'sym', alg: 'HS256' },
      { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'priv', alg: 'RS256' },
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'enc', use: 'enc' },
    ],
  }
  const payload = { sub: 'u', iss: ISSUER, exp: clock.seconds + 60 }
  for (const [kid, secret] of [
    ['a', rsaPublicPem],
    ['sym', 's'.repeat(32)],
    ['enc', rsaPublicPem],
  ] as const) {
    const response = await get(hmacToken(secret, payload, { alg: 'HS256', kid }))
    t.equal(response.statusCode, 401, kid)
  }
  const priv = asymmetricToken(rsa.privateKey, payload, { alg: 'RS256', kid: 'priv' })
  t.equal((await get(priv)).statusCode, 401, 'a JWK with private material is not a key')
})

t.test('every refusal is published on rampart:jwt:rejected', async (t) => {
  const { get, token } = await setup(t)
  const reasons: string[] = []
  const unsubscribe = rejectedChannel.subscribe((event) => reasons.push(event.reason))
  t.teardown(unsubscribe)
  await get(token('a'))
  await get(token('a', second.privateKey))
  await get(token('nope'))
  t.same(reasons, ['signature', 'unknown-key'])
})

t.test('keys without "alg" are used with the algorithm their type and curve allow, if configured', async (t) => {
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const edKey = generateKeyPairSync('ed25519')
  const { server, get, clock } = await setup(t, { algorithms: ['PS256', 'ES256'] })
  const plain = (key: KeyObject, kid: string) => ({ ...key.export({ format: 'jwk' }), kid })
  server.body = { keys: [plain(rsa.publicKey, 'rsa'), plain(ecKey.publicKey, 'ec'), plain(edKey.publicKey, 'ed')] }
  const payload = { sub: 'u', iss: ISSUER, exp: clock.seconds + 60 }
  t.equal((await get(asymmetricToken(ecKey.privateKey, payload, { alg: 'ES256', kid: 'ec' }))).statusCode, 200)
  t.equal(
    (await get(asymmetricToken(rsa.privateKey, payload, { alg: 'RS256', kid: 'rsa' }))).statusCode,
    401,
    'RSA is PS256 here',
  )
  t.equal(
    (await get(asymmetricToken(edKey.privateKey, payload, { alg: 'EdDSA', kid: 'ed' }))).statusCode,
    401,
    'EdDSA not configured',
  )
})

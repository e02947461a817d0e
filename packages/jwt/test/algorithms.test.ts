import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { createTokenIssuer } from '../src/index.js'
import { bearer, build } from './fixtures/app.js'
import {
  asymmetricToken,
  claims,
  ec,
  ed,
  forge,
  hmacToken,
  nowSeconds,
  rsa,
  rsaPublicPem,
  SECRET,
} from './fixtures/tokens.js'

const now = nowSeconds()

t.test('alg "none" is never accepted, whatever its spelling and whether a signature follows', async (t) => {
  const app = await build()
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    for (const signature of ['', 'abc']) {
      const token = forge({ alg, typ: 'JWT' }, claims(now), signature)
      const response = await app.inject({ url: '/api/protected', headers: bearer(token) })
      t.equal(response.statusCode, 401, `${alg} ${signature}`)
      t.equal(response.json().detail, 'invalid token: unsigned')
    }
  }
})

t.test('HS/RS confusion: an HS256 token MACed with the RSA public key is 401', async (t) => {
  const app = await build({ keys: [{ kid: 'rsa-1', algorithm: 'RS256', publicKey: rsaPublicPem }] })
  const legit = asymmetricToken(rsa.privateKey, claims(now), { alg: 'RS256', kid: 'rsa-1' })
  t.equal((await app.inject({ url: '/api/protected', headers: bearer(legit) })).statusCode, 200, 'the real key works')
  const der = rsa.publicKey.export({ type: 'spki', format: 'der' })
  for (const secret of [rsaPublicPem, rsaPublicPem.trim(), der]) {
    for (const header of [{ alg: 'HS256', kid: 'rsa-1' }, { alg: 'HS256' }]) {
      const forged = hmacToken(secret, claims(now), header)
      const response = await app.inject({ url: '/api/protected', headers: bearer(forged) })
      t.equal(response.statusCode, 401, JSON.stringify(header))
      t.match(response.json().detail, /algorithm not allowed|no key id/)
    }
  }
})

t.test('a token in another algorithm than its key is pinned to is 401', async (t) => {
  const app = await build({ keys: [{ algorithm: 'HS256', secret: SECRET }] })
  const hs512 = hmacToken(SECRET, claims(now), { alg: 'HS512' })
  const rs256 = forge({ alg: 'RS256' }, claims(now), 'abc')
  for (const token of [hs512, rs256]) {
    const response = await app.inject({ url: '/api/protected', headers: bearer(token) })
    t.equal(response.statusCode, 401)
    t.equal(response.json().detail, 'invalid token: algorithm not allowed')
  }
})

t.test('RS256, PS256, ES256 and EdDSA keys verify their own tokens and nothing else', async (t) => {
  const ecPublic = ec.publicKey.export({ format: 'jwk' })
  const app = await build({
    keys: [
      { kid: 'rs', algorithm: 'RS256', publicKey: rsa.publicKey },
      { kid: 'ps', algorithm: 'PS256', publicKey: rsaPublicPem },
      { kid: 'es', algorithm: 'ES256', publicKey: ecPublic },
      { kid: 'ed', algorithm: 'EdDSA', publicKey: ed.publicKey },
    ],
  })
  const rs = asymmetricToken(rsa.privateKey, claims(now), { alg: 'RS256', kid: 'rs' })
  const es = asymmetricToken(ec.privateKey, claims(now), { alg: 'ES256', kid: 'es' })
  const eddsa = asymmetricToken(ed.privateKey, claims(now), { alg: 'EdDSA', kid: 'ed' })
  const ps = createTokenIssuer({ keys: [{ kid: 'ps', algorithm: 'PS256', privateKey: rsa.privateKey }] }).sign({
    sub: 'user-1',
  })
  for (const token of [rs, es, eddsa, ps]) {
    t.equal((await app.inject({ url: '/api/protected', headers: bearer(token) })).statusCode, 200)
  }
  // The RS256 token presented under the PS256 key's kid: same RSA key, other algorithm.
  const swapped = asymmetricToken(rsa.privateKey, claims(now), { alg: 'RS256', kid: 'ps' })
  t.equal((await app.inject({ url: '/api/protected', headers: bearer(swapped) })).statusCode, 401)
  // Signed by another EC key under the known kid.
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const forged = asymmetricToken(other.privateKey, claims(now), { alg: 'ES256', kid: 'es' })
  const response = await app.inject({ url: '/api/protected', headers: bearer(forged) })
  t.equal(response.statusCode, 401)
  t.equal(response.json().detail, 'invalid token: bad signature')
})

t.test('an embedded jwk, x5c or x5u is never trusted', async (t) => {
  const app = await build({ keys: [{ algorithm: 'RS256', publicKey: rsaPublicPem }] })
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = attacker.publicKey.export({ format: 'jwk' })
  const cert = 'MIIBszCCAVmgAwIBAgIU'
  for (const header of [
    { alg: 'RS256', jwk },
    { alg: 'RS256', x5c: [cert] },
    { alg: 'RS256', x5u: 'http://127.0.0.1:1/cert.pem' },
  ]) {
    const token = asymmetricToken(attacker.privateKey, claims(now), header)
    const response = await app.inject({ url: '/api/protected', headers: bearer(token) })
    t.equal(response.statusCode, 401, Object.keys(header).join())
    t.equal(response.json().detail, 'invalid token: bad signature')
  }
  // The same headers on a token signed by the configured key change nothing either: they are ignored.
  const signed = asymmetricToken(rsa.privateKey, claims(now), { alg: 'RS256', jwk, x5u: 'http://127.0.0.1:1/x' })
  t.equal((await app.inject({ url: '/api/protected', headers: bearer(signed) })).statusCode, 200)
})

import Fastify from 'fastify'
import t from 'tap'
import { createJwtStrategy, createTokenIssuer } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { ec, ed, rsa, SECRET } from './fixtures/tokens.js'

function decode(token: string) {
  const [header, payload] = token.split('.') as [string, string]
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()),
  }
}

t.test('sign sets iat, exp and a random jti from the clock, iss and aud when configured', async (t) => {
  const clock = new FakeClock()
  const issuer = createTokenIssuer({
    secret: SECRET,
    issuer: ['https://auth.example', 'https://old.example'],
    audience: ['api', 'admin'],
    expiresIn: 900,
    now: clock.now,
  })
  const { header, payload } = decode(issuer.sign({ sub: 'alice', role: 'admin' }))
  t.same(header, { alg: 'HS256', typ: 'JWT' })
  t.match(payload, {
    sub: 'alice',
    role: 'admin',
    iat: clock.seconds,
    exp: clock.seconds + 900,
    iss: 'https://auth.example',
    aud: ['api', 'admin'],
  })
  t.match(payload.jti, /^[0-9a-f-]{36}$/)
  t.not(decode(issuer.sign({ sub: 'alice' })).payload.jti, payload.jti, 'a new jti each time')
  t.equal(decode(issuer.sign({ sub: 'a' }, { expiresIn: 60, jti: 'mine' })).payload.exp, clock.seconds + 60)
  t.equal(decode(issuer.sign({ sub: 'a' }, { jti: 'mine' })).payload.jti, 'mine')
  const single = createTokenIssuer({ secret: SECRET, audience: 'api' })
  t.equal(decode(single.sign({ sub: 'a' })).payload.aud, 'api')
  t.notOk('iss' in decode(single.sign({ sub: 'a' })).payload)
})

t.test('an Identity signs as sub, the tier claim and scope', async (t) => {
  const issuer = createTokenIssuer({ secret: SECRET, tierClaim: 'plan' })
  const { payload } = decode(
    issuer.sign({ id: 'u-1', kind: 'user', tier: 'pro', scopes: ['read', 'write'], claims: { exp: 1 } }),
  )
  t.match(payload, { sub: 'u-1', plan: 'pro', scope: 'read write' })
  t.notOk('kind' in payload)
  t.not(payload.exp, 1, 'claims of the identity are not copied')
})

t.test('issue answers like an OAuth 2.0 token endpoint', async (t) => {
  const issuer = createTokenIssuer({ secret: SECRET, expiresIn: 1800 })
  const response = issuer.issue({ sub: 'alice' })
  t.same(Object.keys(response), ['access_token', 'token_type', 'expires_in'])
  t.equal(response.token_type, 'bearer')
  t.equal(response.expires_in, 1800)
  t.equal(decode(response.access_token).payload.sub, 'alice')
})

t.test('the issuer refuses claims it owns and bad arguments', async (t) => {
  const issuer = createTokenIssuer({ secret: SECRET })
  for (const claim of ['iat', 'exp', 'iss', 'aud', 'jti']) {
    t.throws(() => issuer.sign({ sub: 'a', [claim]: 1 }), { code: 'RAMPART_JWT_SIGN_FAILED' }, claim)
  }
  t.throws(() => issuer.sign({ sub: '' }), { code: 'RAMPART_JWT_SIGN_FAILED' })
  t.throws(() => issuer.sign({} as never), { code: 'RAMPART_JWT_SIGN_FAILED' })
  t.throws(() => issuer.sign(null as never), { code: 'RAMPART_JWT_SIGN_FAILED' })
  t.throws(() => issuer.sign({ sub: 'a' }, { expiresIn: 0 }), { code: 'RAMPART_JWT_SIGN_FAILED' })
  t.throws(() => issuer.sign({ sub: 'a' }, { expiresIn: 1.5 }), { code: 'RAMPART_JWT_SIGN_FAILED' })
  t.throws(() => issuer.sign({ sub: 'a' }, { jti: 'has space' }), { code: 'RAMPART_JWT_SIGN_FAILED' })
  t.throws(() => issuer.sign({ sub: 'a', n: 10n }), { code: 'RAMPART_JWT_SIGN_FAILED' })
})

t.test('asymmetric keys sign with their kid, and the strategy verifies what they sign', async (t) => {
  const keys = [
    { kid: 'rs', algorithm: 'RS256' as const, privateKey: rsa.privateKey },
    {
      kid: 'es',
      algorithm: 'ES256' as const,
      privateKey: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    },
    { kid: 'ed', algorithm: 'EdDSA' as const, privateKey: ed.privateKey.export({ format: 'jwk' }) },
  ]
  for (const key of keys) {
    const issuer = createTokenIssuer({ keys: [key] })
    const token = issuer.sign({ sub: 'u' })
    t.same(decode(token).header, { alg: key.algorithm, typ: 'JWT', kid: key.kid })
    const verifier = createJwtStrategy(Fastify(), {
      keys: [{ kid: key.kid, algorithm: key.algorithm, publicKey: { rs: rsa, es: ec, ed }[key.kid]?.publicKey }],
    })
    t.equal(
      (await verifier.authenticate({ headers: { authorization: `Bearer ${token}` } } as never)).status,
      'authenticated',
      key.kid,
    )
  }
})

t.test('a strategy that cannot sign says so', async (t) => {
  const strategy = createJwtStrategy(Fastify(), { keys: [{ algorithm: 'RS256', publicKey: rsa.publicKey }] })
  t.throws(() => strategy.sign({ sub: 'u' }), { code: 'RAMPART_JWT_SIGN_FAILED' })
  t.throws(() => createTokenIssuer({ keys: [{ algorithm: 'RS256', publicKey: rsa.publicKey }] }), {
    code: 'RAMPART_JWT_INVALID_OPTION',
  })
})

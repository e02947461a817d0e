import { problemRepliesPlugin } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartJwt from '../src/index.js'
import { b64url, claims, forge, hmacToken, nowSeconds, SECRET } from './fixtures/tokens.js'

async function build() {
  const app = Fastify()
  await app.register(problemRepliesPlugin)
  await app.register(rampartJwt, { secret: SECRET })
  app.get('/api/protected', async (request) => ({ identity: request.identity }))
  return app
}

const now = nowSeconds()
const header = { alg: 'HS256', typ: 'JWT' }

/** Every one of these is 401 problem+json with an RFC 6750 challenge, never a 500 (@fastify/jwt 10 answers some with 500 or 400). */
const tokens: [string, string, string][] = [
  ['garbage', 'garbage', 'invalid token: malformed'],
  ['two segments', 'a.b', 'invalid token: malformed'],
  ['four segments', 'a.b.c.d', 'invalid token: malformed'],
  ['five segments (JWE)', 'a.b.c.d.e', 'invalid token: encrypted tokens are not accepted'],
  ['empty segments', '..', 'invalid token: malformed'],
  ['bad base64 header', '!!!.e30.abc', 'invalid token: malformed'],
  ['padded base64 header', `${b64url(header)}==.${b64url(claims(now))}.abc`, 'invalid token: malformed'],
  ['header not JSON', `${b64url('not json')}.${b64url(claims(now))}.abc`, 'invalid token: malformed'],
  ['header JSON null', `${b64url('null')}.${b64url(claims(now))}.abc`, 'invalid token: malformed'],
  ['header JSON array', `${b64url([header])}.${b64url(claims(now))}.abc`, 'invalid token: malformed'],
  ['header JSON string', `${b64url('"HS256"')}.${b64url(claims(now))}.abc`, 'invalid token: malformed'],
  ['alg not a string', forge({ alg: 256 }, claims(now), 'abc'), 'invalid token: malformed'],
  ['no alg', forge({ typ: 'JWT' }, claims(now), 'abc'), 'invalid token: malformed'],
  ['payload not JSON (signed)', hmacToken(SECRET, 'not json'), 'invalid token: malformed'],
  ['payload a JSON array (signed)', hmacToken(SECRET, [1, 2]), 'invalid token: malformed'],
  ['payload JSON null (signed)', hmacToken(SECRET, null), 'invalid token: malformed'],
  ['payload a JSON array (unsigned)', `${b64url(header)}.${b64url([1])}.x`, 'invalid token: malformed'],
  ['signature with + and /', `${b64url(header)}.${b64url(claims(now))}.ab+/`, 'invalid token: bad signature'],
  ['empty signature', `${b64url(header)}.${b64url(claims(now))}.`, 'invalid token: bad signature'],
  ['truncated signature', hmacToken(SECRET, claims(now)).slice(0, -5), 'invalid token: bad signature'],
  ['kid an object', hmacToken(SECRET, claims(now), { alg: 'HS256', kid: {} }), 'invalid token: unknown key'],
  [
    'crit header',
    hmacToken(SECRET, claims(now), { alg: 'HS256', crit: ['x'], x: 1 }),
    'invalid token: unsupported critical header',
  ],
  [
    'exp a string (signed)',
    hmacToken(SECRET, claims(now, { exp: 'tomorrow' })),
    'invalid token: exp, nbf and iat must be numbers',
  ],
  [
    'nbf a string (signed)',
    hmacToken(SECRET, claims(now, { nbf: 'now' })),
    'invalid token: exp, nbf and iat must be numbers',
  ],
  [
    'iat an object (signed)',
    hmacToken(SECRET, claims(now, { iat: {} })),
    'invalid token: exp, nbf and iat must be numbers',
  ],
  ['no sub (signed)', hmacToken(SECRET, { exp: now + 60 }), 'invalid token: no subject'],
  ['sub a number (signed)', hmacToken(SECRET, claims(now, { sub: 42 })), 'invalid token: no subject'],
  ['sub with a newline (signed)', hmacToken(SECRET, claims(now, { sub: 'a\nb' })), 'invalid token: no subject'],
  ['jti an array (signed)', hmacToken(SECRET, claims(now, { jti: ['a'] })), 'invalid token: malformed jti'],
  ['non-ASCII token', 'ééé.ééé.ééé', 'invalid token: malformed'],
]

t.test('malformed tokens are 401 invalid_token problem+json, never 500', async (t) => {
  const app = await build()
  for (const [name, token, description] of tokens) {
    const response = await app.inject({ url: '/api/protected', headers: { authorization: `Bearer ${token}` } })
    t.equal(response.statusCode, 401, name)
    t.match(response.headers['content-type'], /^application\/problem\+json/, name)
    t.equal(response.json().code, 'RAMPART_JWT_INVALID', name)
    t.equal(response.json().detail, description, name)
    t.equal(
      response.headers['www-authenticate'],
      `Bearer realm="api", error="invalid_token", error_description="${description}"`,
      name,
    )
  }
})

t.test('the same tokens in the cookie are refused the same way', async (t) => {
  const app = await build()
  for (const [name, token, description] of tokens.filter(([, token]) => !token.includes(';'))) {
    const response = await app.inject({ url: '/api/protected', headers: { cookie: `access_token=${token}` } })
    t.equal(response.statusCode, 401, name)
    t.equal(response.json().detail, description, name)
  }
})

t.test('a token over maxTokenLength (8 KiB) is 401 without being parsed', async (t) => {
  const app = await build()
  const huge = hmacToken(SECRET, claims(now, { padding: 'x'.repeat(9000) }))
  t.ok(huge.length > 8192)
  const response = await app.inject({ url: '/api/protected', headers: { authorization: `Bearer ${huge}` } })
  t.equal(response.statusCode, 401)
  t.equal(response.json().detail, 'invalid token: too large')
  t.equal(app.rampartJwt.stats.verifications, 0, 'no signature check')
  const notJson = `${'A'.repeat(9000)}.x.y`
  t.equal(
    (await app.inject({ url: '/api/protected', headers: { authorization: `Bearer ${notJson}` } })).statusCode,
    401,
  )
})

t.test('Authorization headers that are not one bearer token', async (t) => {
  const app = await build()
  const valid = hmacToken(SECRET, claims(now))
  const malformed: string[] = [
    'Bearer',
    'bearer',
    'Bearer    ',
    `Bearer ${valid} extra`,
    `Bearer ${valid},${valid}`,
    `Bearer  a b`,
  ]
  for (const authorization of malformed) {
    const response = await app.inject({ url: '/api/protected', headers: { authorization } })
    t.equal(response.statusCode, 401, JSON.stringify(authorization))
    t.equal(
      response.headers['www-authenticate'],
      'Bearer realm="api", error="invalid_request", error_description="malformed request: expected one bearer token"',
    )
  }
  // Another scheme is not a bearer token at all: the bare challenge, as for no credentials.
  for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearertoken', 'Token abc', `JWT ${valid}`, '']) {
    const response = await app.inject({ url: '/api/protected', headers: { authorization } })
    t.equal(response.statusCode, 401, JSON.stringify(authorization))
    t.equal(response.headers['www-authenticate'], 'Bearer realm="api"')
    t.equal(response.json().code, 'RAMPART_JWT_MISSING')
  }
  // The scheme is case-insensitive (RFC 9110) and more than one space may follow it.
  for (const authorization of [`bearer ${valid}`, `BEARER ${valid}`, `Bearer   ${valid}`]) {
    t.equal((await app.inject({ url: '/api/protected', headers: { authorization } })).statusCode, 200, authorization)
  }
})

t.test('over a real socket too: 401, never 500', async (t) => {
  const app = await build()
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as { port: number }
  for (const [name, token] of tokens.filter(([, token]) => /^[\x21-\x7e]+$/.test(token))) {
    const response = await fetch(`http://127.0.0.1:${port}/api/protected`, {
      headers: { authorization: `Bearer ${token}` },
    })
    t.equal(response.status, 401, name)
    await response.arrayBuffer()
  }
})

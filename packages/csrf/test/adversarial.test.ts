import { createHmac, randomBytes } from 'node:crypto'
import t from 'tap'
import { TokenSigner } from '../src/index.js'
import { build, cookieHeader, fetchToken, OTHER_SECRET, SECRET } from './fixtures/helpers.js'

const VICTIM = 'victim-session-id-0001'
const ATTACKER = 'attacker-session-id-0002'

/** A JSON post with the given cookies and token header. */
function post(cookies: Record<string, string>, token?: string, url = '/api/transfer') {
  const headers: Record<string, string> = { cookie: cookieHeader(cookies), 'content-type': 'application/json' }
  if (token !== undefined) headers['x-csrf-token'] = token
  return { method: 'POST' as const, url, headers, payload: JSON.stringify({ amount: 100 }) }
}

t.test('a valid token in the header is accepted, and the body reaches the handler', async (t) => {
  const app = await build()
  const { token } = await fetchToken(app, { sid: VICTIM })
  const response = await app.inject(post({ sid: VICTIM, '__Host-csrf': token }, token))
  t.equal(response.statusCode, 200)
  t.same(response.json().body, { amount: 100 })
  const xsrf = await app.inject({
    method: 'DELETE',
    url: '/api/item',
    headers: { cookie: cookieHeader({ sid: VICTIM }), 'x-xsrf-token': token },
  })
  t.equal(xsrf.statusCode, 200, 'X-XSRF-Token is read too')
})

t.test(
  'a valid token in a urlencoded form field is accepted, and the rest of the form reaches the handler',
  async (t) => {
    const app = await build()
    const { token } = await fetchToken(app, { sid: VICTIM })
    const response = await app.inject({
      method: 'POST',
      url: '/account/email',
      headers: { cookie: cookieHeader({ sid: VICTIM }), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=a%40example.com&csrf_token=${token}&note=hi`,
    })
    t.equal(response.statusCode, 200)
    t.same(response.json().body, { email: 'a@example.com', csrf_token: token, note: 'hi' })
  },
)

t.test('a missing token is 403 RAMPART_CSRF_MISSING, in JSON and in a form', async (t) => {
  const app = await build()
  await fetchToken(app, { sid: VICTIM })
  const json = await app.inject(post({ sid: VICTIM }))
  t.equal(json.statusCode, 403)
  t.match(json.headers['content-type'], /^application\/problem\+json/)
  t.equal(json.json().code, 'RAMPART_CSRF_MISSING')
  const form = await app.inject({
    method: 'POST',
    url: '/account/email',
    headers: { cookie: cookieHeader({ sid: VICTIM }), 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'email=a%40example.com&csrf_token=',
  })
  t.equal(form.statusCode, 403)
  t.equal(form.json().code, 'RAMPART_CSRF_MISSING')
})

t.test('forged tokens are 403 RAMPART_CSRF_INVALID', async (t) => {
  const app = await build()
  const { token } = await fetchToken(app, { sid: VICTIM })
  const [random, mac] = token.split('.') as [string, string]
  const flipped = `${mac.slice(0, 10)}${mac[10] === 'A' ? 'B' : 'A'}${mac.slice(11)}`
  const forgeries = {
    'random bytes of the right shape': `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
    'one character of the MAC changed': `${random}.${flipped}`,
    'another random part under the same MAC': `${randomBytes(32).toString('base64url')}.${mac}`,
    'signed with a secret the server does not have': new TokenSigner([Buffer.from(OTHER_SECRET)]).sign({
      kind: 's',
      id: VICTIM,
    }),
    'HMAC over the session id alone, as the seed computes it': createHmac('sha256', SECRET)
      .update(VICTIM)
      .digest('hex'),
    'the random part alone': random,
    'the token twice': `${token},${token}`,
    'trailing garbage': `${token}x`,
    'base64 padding': `${token}=`,
    'a header sent twice': [token, token] as unknown as string,
  }
  for (const [name, forged] of Object.entries(forgeries)) {
    const response = await app.inject(post({ sid: VICTIM, '__Host-csrf': token }, forged))
    t.equal(response.statusCode, 403, name)
    t.equal(response.json().code, 'RAMPART_CSRF_INVALID', name)
  }
})

t.test('an attacker-planted cookie with a matching self-made header is refused', async (t) => {
  const app = await build()
  // Whatever the attacker writes into both the cookie and the header, it is not an HMAC over the
  // victim's session id under the server's secret: the cookie is never trusted for that.
  const selfMade = `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`
  const ownKey = new TokenSigner([Buffer.from(OTHER_SECRET)]).sign({ kind: 's', id: VICTIM })
  // A token the server really issued, but to the attacker's own session.
  const { token: attackersToken } = await fetchToken(app, { sid: ATTACKER })
  for (const planted of [selfMade, ownKey, attackersToken]) {
    const response = await app.inject(post({ sid: VICTIM, '__Host-csrf': planted }, planted))
    t.equal(response.statusCode, 403)
    t.equal(response.json().code, 'RAMPART_CSRF_INVALID')
  }
  // @fastify/csrf-protection's default cookie mode keeps a secret in the cookie and accepts any
  // token derived from it; the attacker's pair of their own making is the same attack here.
  const secretCookie = randomBytes(18).toString('base64url')
  const derived = `${randomBytes(4).toString('hex')}-${createHmac('sha1', secretCookie).update('x').digest('base64url')}`
  const response = await app.inject(post({ sid: VICTIM, _csrf: secretCookie, '__Host-csrf': derived }, derived))
  t.equal(response.statusCode, 403)
})

t.test('a token issued to another session is refused, both ways', async (t) => {
  const app = await build()
  const { token: victims } = await fetchToken(app, { sid: VICTIM })
  const { token: attackers } = await fetchToken(app, { sid: ATTACKER })
  t.not(victims, attackers)
  const stolen = await app.inject(post({ sid: ATTACKER, '__Host-csrf': victims }, victims))
  t.equal(stolen.json().code, 'RAMPART_CSRF_INVALID')
  const planted = await app.inject(post({ sid: VICTIM, '__Host-csrf': attackers }, attackers))
  t.equal(planted.json().code, 'RAMPART_CSRF_INVALID')
  t.equal((await app.inject(post({ sid: VICTIM }, victims))).statusCode, 200, 'each token works for its own session')
  t.equal((await app.inject(post({ sid: ATTACKER }, attackers))).statusCode, 200)
})

t.test('a cross-site unsafe request is refused by Fetch Metadata even with a valid token', async (t) => {
  const app = await build()
  const { token } = await fetchToken(app, { sid: VICTIM })
  const request = post({ sid: VICTIM }, token)
  const response = await app.inject({ ...request, headers: { ...request.headers, 'sec-fetch-site': 'cross-site' } })
  t.equal(response.statusCode, 403)
  t.equal(response.json().code, 'RAMPART_CSRF_CROSS_SITE')
})

t.test('Origin: null and look-alike origins are refused', async (t) => {
  const app = await build()
  const { token } = await fetchToken(app, { sid: VICTIM })
  const request = post({ sid: VICTIM }, token)
  const send = (origin: string) =>
    app.inject({ ...request, headers: { ...request.headers, host: 'example.com', origin } })
  t.equal((await send('http://example.com')).statusCode, 200, 'the own origin passes')
  for (const origin of [
    'null',
    'http://evilexample.com',
    'http://example.com.evil.com',
    'http://evil.example.com',
    'http://example.co',
    'http://example.com:8080',
    'https://example.com',
    'http://example.com/',
    'http://EXAMPLE.com',
    'http://example.com, http://evil.com',
  ]) {
    const response = await send(origin)
    t.equal(response.statusCode, 403, origin)
    t.equal(response.json().code, 'RAMPART_CSRF_ORIGIN', origin)
  }
})

t.test('a second tab: the same token works for any number of requests', async (t) => {
  const app = await build()
  const first = await fetchToken(app, { sid: VICTIM })
  // the second tab loads its page with the cookie the first one set: same token, no new cookie
  const second = await fetchToken(app, { sid: VICTIM, '__Host-csrf': first.set['__Host-csrf'] as string })
  t.equal(second.token, first.token)
  t.same(second.set, {})
  for (let i = 0; i < 3; i++) {
    const response = await app.inject(post({ sid: VICTIM, '__Host-csrf': first.token }, first.token))
    t.equal(response.statusCode, 200)
    t.notOk(response.headers['set-cookie'], 'a check never rotates the token')
  }
  // two tabs opened at once (a restored browser session) each got a token before either cookie
  // was stored: both tokens stay valid, whichever cookie won
  const racing = await fetchToken(app, { sid: VICTIM })
  t.not(racing.token, first.token)
  t.equal((await app.inject(post({ sid: VICTIM, '__Host-csrf': racing.token }, first.token))).statusCode, 200)
  t.equal((await app.inject(post({ sid: VICTIM, '__Host-csrf': first.token }, racing.token))).statusCode, 200)
})

t.test('safe methods pass without a token', async (t) => {
  const app = await build({}, (app) => {
    app.route({ method: ['GET', 'HEAD', 'OPTIONS', 'TRACE'], url: '/api/safe', handler: async () => 'ok' })
  })
  for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE'] as const) {
    const response = await app.inject({
      method,
      url: '/api/safe',
      headers: { cookie: cookieHeader({ sid: VICTIM }), 'sec-fetch-site': 'cross-site', origin: 'https://evil.com' },
    })
    t.equal(response.statusCode, 200, method)
  }
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    const response = await app.inject({ method, url: '/api/x', headers: { cookie: cookieHeader({ sid: VICTIM }) } })
    t.equal(response.statusCode, 403, `${method} is checked`)
  }
})

t.test('exempt paths pass, however the path is spelt, and only below a segment boundary', async (t) => {
  const app = await build({ exemptPaths: ['/webhooks'] })
  const cookie = cookieHeader({ sid: VICTIM })
  for (const url of ['/webhooks', '/webhooks/stripe', '//webhooks/stripe', '/api/../webhooks/x', '/%77ebhooks/x']) {
    const response = await app.inject({ method: 'POST', url, headers: { cookie, 'sec-fetch-site': 'cross-site' } })
    t.equal(response.statusCode, 200, url)
  }
  const near = await app.inject({ method: 'POST', url: '/webhooksx', headers: { cookie } })
  t.equal(near.statusCode, 403, '/webhooksx is not under /webhooks')
})

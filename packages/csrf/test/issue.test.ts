import t from 'tap'
import { TokenSigner } from '../src/index.js'
import {
  build,
  cookieHeader,
  fetchToken,
  OTHER_SECRET,
  SECRET,
  setCookieLines,
  setCookies,
  sidCookie,
} from './fixtures/helpers.js'

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/

t.test(
  'with a session: one token cookie, script-readable, Secure, Path=/, SameSite=Lax, no pre-session cookie',
  async (t) => {
    const app = await build()
    const { token, response } = await fetchToken(app, { sid: 's1' })
    t.match(token, TOKEN_SHAPE)
    t.same(setCookieLines(response), [`__Host-csrf=${token}; Path=/; Secure; SameSite=Lax`])
  },
)

t.test('without a session: a pre-session id in an HttpOnly cookie, and a token bound to it', async (t) => {
  const app = await build()
  const { token, set, response } = await fetchToken(app)
  const preSession = set['__Host-csrf-pre'] as string
  t.match(preSession, /^[A-Za-z0-9_-]{43}$/)
  t.same(setCookieLines(response), [
    `__Host-csrf-pre=${preSession}; Path=/; Secure; HttpOnly; SameSite=Lax`,
    `__Host-csrf=${token}; Path=/; Secure; SameSite=Lax`,
  ])
  const signer = new TokenSigner([Buffer.from(SECRET)])
  t.equal(signer.check(token, { kind: 'p', id: preSession }), 1)
  t.equal(signer.check(token, { kind: 's', id: preSession }), 0, 'a pre-session token is no session token')

  // the login form posts back with both cookies
  const login = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: cookieHeader(set), 'content-type': 'application/x-www-form-urlencoded' },
    payload: `username=alice&password=x&csrf_token=${token}`,
  })
  t.equal(login.statusCode, 200)
  // the same page loaded again reuses both
  const again = await fetchToken(app, set)
  t.equal(again.token, token)
  t.same(again.set, {})
})

t.test('a pre-session token is refused with another pre-session cookie, or once a session exists', async (t) => {
  const app = await build()
  const { token, set } = await fetchToken(app)
  const other = await fetchToken(app)
  const form = (cookies: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(cookies), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `csrf_token=${token}`,
    })
  t.equal(
    (await form({ ...set, '__Host-csrf-pre': other.set['__Host-csrf-pre'] as string })).json().code,
    'RAMPART_CSRF_INVALID',
  )
  t.equal((await form({ ...set, sid: 'logged-in' })).json().code, 'RAMPART_CSRF_INVALID')
  const { '__Host-csrf-pre': _pre, ...withoutPreSession } = set
  const noBinding = await form(withoutPreSession)
  t.equal(noBinding.statusCode, 403)
  t.equal(noBinding.json().code, 'RAMPART_CSRF_MISSING', 'no session and no pre-session: nothing to bind to')
  t.equal((await form({ ...set, '__Host-csrf-pre': 'short' })).json().code, 'RAMPART_CSRF_MISSING')
  t.equal(
    (
      await form({
        ...set,
        '__Host-csrf-pre': `${set['__Host-csrf-pre']}; __Host-csrf-pre=${other.set['__Host-csrf-pre']}`,
      })
    ).json().code,
    'RAMPART_CSRF_MISSING',
    'a pre-session cookie sent twice (one planted) binds nothing',
  )
})

t.test('after login the token is re-issued for the session and the pre-session cookie expired', async (t) => {
  const app = await build()
  const before = await fetchToken(app)
  const after = await fetchToken(app, { ...before.set, sid: 'new-session' })
  t.not(after.token, before.token)
  t.same(setCookieLines(after.response), [
    '__Host-csrf-pre=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0',
    `__Host-csrf=${after.token}; Path=/; Secure; SameSite=Lax`,
  ])
})

t.test('a token for another session in the cookie is replaced, never reused', async (t) => {
  const app = await build()
  const { token: other } = await fetchToken(app, { sid: 'someone-else' })
  const mine = await fetchToken(app, { sid: 'me', '__Host-csrf': other })
  t.not(mine.token, other)
  t.same(Object.keys(mine.set), ['__Host-csrf'])
  const garbage = await fetchToken(app, { sid: 'me', '__Host-csrf': 'not-a-token' })
  t.match(garbage.token, TOKEN_SHAPE)
})

t.test('key rotation: tokens of an older secret still verify and are re-issued under the new one', async (t) => {
  const NEW_SECRET = 'the next secret, also 32 bytes or more long'
  const oldApp = await build()
  const { token: old } = await fetchToken(oldApp, { sid: 's1' })
  const app = await build({ secret: [NEW_SECRET, SECRET] })
  const check = await app.inject({
    method: 'POST',
    url: '/x',
    headers: { cookie: cookieHeader({ sid: 's1', '__Host-csrf': old }), 'x-csrf-token': old },
  })
  t.equal(check.statusCode, 200, 'the old key still verifies')
  const renewed = await fetchToken(app, { sid: 's1', '__Host-csrf': old })
  t.not(renewed.token, old, 'the page gets a token of the new key')
  t.equal(new TokenSigner([Buffer.from(NEW_SECRET)]).check(renewed.token, { kind: 's', id: 's1' }), 1)
  const dropped = await build({ secret: NEW_SECRET })
  const refused = await dropped.inject({
    method: 'POST',
    url: '/x',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'x-csrf-token': old },
  })
  t.equal(refused.json().code, 'RAMPART_CSRF_INVALID', 'a secret taken out of the list no longer verifies')
  t.equal(new TokenSigner([Buffer.from(OTHER_SECRET)]).check(old, { kind: 's', id: 's1' }), 0)
})

t.test('fastify.csrf.token(request) and reply.csrfToken() agree within a request and set one cookie', async (t) => {
  let session: string | undefined
  const app = await build({ sessionId: () => session }, (app) => {
    app.get('/twice', async (request, reply) => {
      const first = reply.csrfToken()
      const second = app.csrf.token(request)
      return { same: first === second, verified: app.csrf.verify(request, first) }
    })
    app.get('/login-then-token', async (request, reply) => {
      const anonymous = reply.csrfToken()
      session = 'fresh-session'
      const bound = reply.csrfToken()
      return { anonymous, bound, verified: app.csrf.verify(request, bound) }
    })
  })
  const twice = await app.inject('/twice')
  t.same(twice.json(), { same: true, verified: false }, 'a new pre-session id is not on the request yet')
  t.equal(setCookieLines(twice).length, 2)

  // the session changes during the request (a login handler): the token follows it, one cookie each
  const login = await app.inject('/login-then-token')
  const { anonymous, bound, verified } = login.json()
  t.not(anonymous, bound)
  t.ok(verified)
  t.same(setCookies(login), { '__Host-csrf': bound }, 'no pre-session cookie for a request that ended with a session')
  session = undefined
})

t.test('the decorations say where tokens go', async (t) => {
  const app = await build({ headerNames: ['X-Token'], fieldName: '_csrf', cookieName: 'XSRF-TOKEN' })
  t.equal(app.csrf.headerName, 'x-token')
  t.equal(app.csrf.fieldName, '_csrf')
  t.equal(app.csrf.cookieName, 'XSRF-TOKEN')
  t.ok(Object.isFrozen(app.csrf))
  t.equal(app.csrf.verify({ headers: {} } as never, 42 as never), false)
})

t.test('cookie options: names, SameSite, and plain-HTTP development', async (t) => {
  const app = await build({
    cookieName: 'csrf',
    preSessionCookieName: 'csrf_pre',
    cookieSecure: false,
    cookieSameSite: 'strict',
  })
  const { token, set, response } = await fetchToken(app)
  t.same(setCookieLines(response), [
    `csrf_pre=${set.csrf_pre}; Path=/; HttpOnly; SameSite=Strict`,
    `csrf=${token}; Path=/; SameSite=Strict`,
  ])
  const none = await build({ cookieSameSite: 'none' })
  t.match(setCookieLines((await fetchToken(none, { sid: 'x' })).response)[0], /; Secure; SameSite=None$/)
})

t.test('without the plugin hooks touching it, a route that never asks for a token sets no cookie', async (t) => {
  const app = await build()
  const response = await app.inject({ method: 'POST', url: '/x', headers: { 'x-csrf-token': 'a' } })
  t.equal(response.statusCode, 200, 'no cookies at all: skipped')
  t.same(setCookieLines(response), [])
  t.equal(sidCookie({ headers: { cookie: 'sid=a; sid=b' } } as never), undefined)
})

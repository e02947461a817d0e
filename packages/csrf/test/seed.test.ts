// Regressions of seed 002's `middleware/csrf.py` (Part 3), each named after the defect it pins.
import t from 'tap'
import { build, cookieHeader, fetchToken, setCookieLines } from './fixtures/helpers.js'

t.test('seed: the token handed out is the token that verifies', async (t) => {
  // The seed stores a random token in the session and in the cookie, then expects the client to
  // send HMAC(secret, that token), which it never gives out (and cannot be read from an HttpOnly
  // cookie): no client could ever pass.
  const app = await build()
  const { token } = await fetchToken(app, { sid: 's1' })
  const response = await app.inject({
    method: 'POST',
    url: '/x',
    headers: { cookie: cookieHeader({ sid: 's1', '__Host-csrf': token }), 'x-csrf-token': token },
  })
  t.equal(response.statusCode, 200)
})

t.test('seed: the token cookie is readable by page scripts (not HttpOnly)', async (t) => {
  const app = await build()
  const { response } = await fetchToken(app, { sid: 's1' })
  t.notMatch(setCookieLines(response)[0], /HttpOnly/i)
})

t.test('seed: a check does not rotate the token, so a second tab keeps working', async (t) => {
  // The seed sets a new token after every checked request: the page in the other tab holds a
  // token that no longer matches.
  const app = await build()
  const { token } = await fetchToken(app, { sid: 's1' })
  const send = () =>
    app.inject({ method: 'POST', url: '/x', headers: { cookie: cookieHeader({ sid: 's1' }), 'x-csrf-token': token } })
  const first = await send()
  t.same(setCookieLines(first), [])
  t.equal((await send()).statusCode, 200)
})

t.test('seed: the form field is read from the parsed body, which the handler still gets', async (t) => {
  // The seed awaits `request.form()` inside the middleware: it reads the stream before the app
  // does, and parses a JSON body as a form.
  const app = await build()
  const { token } = await fetchToken(app, { sid: 's1' })
  const response = await app.inject({
    method: 'POST',
    url: '/x',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': 'application/x-www-form-urlencoded' },
    payload: `a=1&csrf_token=${token}`,
  })
  t.same(response.json().body, { a: '1', csrf_token: token })
})

t.test('seed: exempt paths are prefixes of the normalised path, not exact strings', async (t) => {
  const app = await build({ exemptPaths: ['/docs'] })
  const cookie = cookieHeader({ sid: 's1' })
  t.equal((await app.inject({ method: 'POST', url: '/docs/', headers: { cookie } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/docs/x', headers: { cookie } })).statusCode, 200)
})

t.test('seed: a refusal is a 403 problem, never a 500', async (t) => {
  // An HTTPException raised in a Starlette BaseHTTPMiddleware bypasses the exception handlers.
  const app = await build()
  const response = await app.inject({
    method: 'POST',
    url: '/x',
    headers: { cookie: 'sid=s1', 'x-csrf-token': '\u00ff' },
  })
  t.equal(response.statusCode, 403)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
})

t.test('seed: without a session a form still works (bound to a pre-session cookie)', async (t) => {
  // Without session middleware the seed refuses every unsafe request and never issues a token.
  const app = await build()
  const { token, set } = await fetchToken(app)
  const response = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: cookieHeader(set), 'x-csrf-token': token },
  })
  t.equal(response.statusCode, 200)
})

import Fastify from 'fastify'
import t from 'tap'
import rampartCsrf from '../src/index.js'
import { build, cookieHeader, fetchToken, SECRET, sidCookie } from './fixtures/helpers.js'

t.test('skipWhenNoCookies (default): a request without cookies is not checked at all', async (t) => {
  const app = await build()
  const bearer = { authorization: 'Bearer abc' }
  t.equal((await app.inject({ method: 'POST', url: '/api/x', headers: bearer })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/api/x', headers: { ...bearer, cookie: '  ' } })).statusCode, 200)
  const crossSite = await app.inject({
    method: 'POST',
    url: '/api/x',
    headers: { ...bearer, origin: 'https://spa.example.net', 'sec-fetch-site': 'cross-site' },
  })
  t.equal(crossSite.statusCode, 200, 'no cookie rides along, so nothing is forged')
  const anyCookie = await app.inject({ method: 'POST', url: '/api/x', headers: { ...bearer, cookie: 'theme=dark' } })
  t.equal(anyCookie.json().code, 'RAMPART_CSRF_MISSING', 'any cookie at all: checked')
})

t.test('skipWhenNoCookies: false checks cookieless requests too', async (t) => {
  const app = await build({ skipWhenNoCookies: false })
  const response = await app.inject({ method: 'POST', url: '/api/x', headers: { 'x-csrf-token': 'abc' } })
  t.equal(response.json().code, 'RAMPART_CSRF_MISSING', 'a token but no session nor pre-session')
  t.equal((await app.inject({ method: 'POST', url: '/api/x' })).json().code, 'RAMPART_CSRF_MISSING')
})

t.test('per route: config.rampart.csrf false skips, an object overrides skipWhenNoCookies', async (t) => {
  const app = await build({}, (app) => {
    app.post('/hooks/in', { config: { rampart: { csrf: false } } }, async () => 'in')
    app.post('/login', { config: { rampart: { csrf: { skipWhenNoCookies: false } } } }, async () => 'in')
    app.post('/other', { config: { rampart: { csrf: {} } } }, async () => 'in')
  })
  const cookie = cookieHeader({ sid: 's1' })
  const skipped = await app.inject({
    method: 'POST',
    url: '/hooks/in',
    headers: { cookie, 'sec-fetch-site': 'cross-site' },
  })
  t.equal(skipped.statusCode, 200)
  // a cross-site login post without cookies (login CSRF) is refused on that route only
  const login = await app.inject({ method: 'POST', url: '/login', headers: { 'sec-fetch-site': 'cross-site' } })
  t.equal(login.json().code, 'RAMPART_CSRF_CROSS_SITE')
  t.equal((await app.inject({ method: 'POST', url: '/login' })).json().code, 'RAMPART_CSRF_MISSING')
  t.equal((await app.inject({ method: 'POST', url: '/other' })).statusCode, 200, '{} keeps the plugin setting')
  // the login page's pre-session token passes
  const { token, set } = await fetchToken(app)
  const ok = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: cookieHeader(set), 'content-type': 'application/x-www-form-urlencoded' },
    payload: `csrf_token=${token}`,
  })
  t.equal(ok.statusCode, 200)
})

t.test('routes registered before the plugin follow their config too', async (t) => {
  const app = Fastify()
  app.post('/early', async () => 'early')
  app.post('/early-off', { config: { rampart: { csrf: false } } }, async () => 'off')
  await app.register(rampartCsrf, { secret: SECRET, sessionId: sidCookie })
  const cookie = cookieHeader({ sid: 's1' })
  t.equal((await app.inject({ method: 'POST', url: '/early', headers: { cookie } })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/early-off', headers: { cookie } })).statusCode, 200)
})

t.test('unknown routes are left to the 404 handler', async (t) => {
  const app = Fastify()
  await app.register(rampartCsrf, { secret: SECRET, sessionId: sidCookie })
  const response = await app.inject({ method: 'POST', url: '/nowhere', headers: { cookie: 'sid=s1' } })
  t.equal(response.statusCode, 404)
})

t.test('a bad route config fails at route registration, naming the route', async (t) => {
  const app = await build()
  t.throws(
    () => app.post('/bad', { config: { rampart: { csrf: { skipWhenNoCookie: true } as never } } }, async () => 'x'),
    {
      code: 'RAMPART_CSRF_INVALID_OPTION',
      message: /config\.rampart\.csrf \(route POST \/bad\)\.skipWhenNoCookie" is not a known option/,
    },
  )
  t.throws(
    () => app.post('/bad2', { config: { rampart: { csrf: { skipWhenNoCookies: 'no' } as never } } }, async () => 'x'),
    { code: 'RAMPART_CSRF_INVALID_OPTION', message: /skipWhenNoCookies" must be true or false/ },
  )
  t.throws(() => app.post('/bad3', { config: { rampart: { csrf: true as never } } }, async () => 'x'), {
    code: 'RAMPART_CSRF_INVALID_OPTION',
    message: /must be an object/,
  })
})

import t from 'tap'
import { bearer, build } from './fixtures/app.js'
import { hmacToken, nowSeconds, OTHER_SECRET, SECRET } from './fixtures/tokens.js'

const valid = hmacToken(SECRET, { sub: 'cookie-user', exp: nowSeconds() + 600 })
const other = hmacToken(SECRET, { sub: 'header-user', exp: nowSeconds() + 600 })
const forged = hmacToken(OTHER_SECRET, { sub: 'x', exp: nowSeconds() + 600 })

t.test('the access_token cookie, found among others without parsing them', async (t) => {
  const app = await build()
  const cookies = [
    `access_token=${valid}`,
    `a=1; access_token=${valid}`,
    `a=1;access_token=${valid}; b=2`,
    `a=1;   access_token=${valid}`,
    `access_token="${valid}"`,
    `xaccess_token=${forged}; access_token=${valid}`,
    `access_token_old=${forged}; access_token=${valid}`,
    `a=access_token=${forged}; access_token=${valid}`,
    `access_token=${valid}; access_token=${forged}`,
  ]
  for (const cookie of cookies) {
    const response = await app.inject({ url: '/api/protected', headers: { cookie } })
    t.equal(response.statusCode, 200, cookie.replaceAll(valid, 'VALID').replaceAll(forged, 'FORGED'))
    t.equal(response.json().identity.id, 'cookie-user')
  }
  for (const cookie of ['access_token=', 'access_token=""', 'xaccess_token=abc', 'session=abc', '']) {
    const response = await app.inject({ url: '/api/protected', headers: { cookie } })
    t.equal(response.statusCode, 401, cookie)
    t.equal(response.json().code, 'RAMPART_JWT_MISSING', cookie)
  }
  const bad = await app.inject({ url: '/api/protected', headers: { cookie: `access_token=${forged}` } })
  t.equal(bad.json().detail, 'invalid token: bad signature')
})

t.test('Authorization: Bearer comes first; another scheme leaves the cookie to be read', async (t) => {
  const app = await build()
  const both = await app.inject({
    url: '/api/protected',
    headers: { ...bearer(other), cookie: `access_token=${valid}` },
  })
  t.equal(both.json().identity.id, 'header-user')
  const badHeader = await app.inject({
    url: '/api/protected',
    headers: { ...bearer(forged), cookie: `access_token=${valid}` },
  })
  t.equal(badHeader.statusCode, 401, 'an invalid bearer token never falls back to the cookie')
  const basic = await app.inject({
    url: '/api/protected',
    headers: { authorization: 'Basic dXNlcjpwYXNz', cookie: `access_token=${valid}` },
  })
  t.equal(basic.json().identity.id, 'cookie-user')
})

t.test('cookie: false ignores cookies; cookie names another one', async (t) => {
  const off = await build({ cookie: false })
  t.equal((await off.inject({ url: '/api/protected', headers: { cookie: `access_token=${valid}` } })).statusCode, 401)
  const named = await build({ cookie: '__Host-session' })
  t.equal(
    (await named.inject({ url: '/api/protected', headers: { cookie: `__Host-session=${valid}` } })).statusCode,
    200,
  )
  t.equal((await named.inject({ url: '/api/protected', headers: { cookie: `access_token=${valid}` } })).statusCode, 401)
})

t.test('a token in the query string is ignored unless `query` is enabled', async (t) => {
  const app = await build()
  for (const url of [`/api/protected?token=${valid}`, `/api/protected?access_token=${valid}`]) {
    const response = await app.inject(url)
    t.equal(response.statusCode, 401, url.replace(valid, 'VALID'))
    t.equal(response.json().code, 'RAMPART_JWT_MISSING')
    t.equal(response.headers['www-authenticate'], 'Bearer realm="api"')
  }
  t.equal(app.rampartJwt.stats.verifications, 0, 'not even looked at')
})

t.test('query: "token" accepts it, after the header and the cookie, once', async (t) => {
  const app = await build({ query: 'token' })
  const response = await app.inject(`/api/protected?token=${valid}`)
  t.equal(response.statusCode, 200)
  t.equal(response.json().identity.id, 'cookie-user')
  t.equal(
    (await app.inject({ url: `/api/protected?token=${valid}`, headers: bearer(other) })).json().identity.id,
    'header-user',
  )
  const twice = await app.inject(`/api/protected?token=${valid}&token=${valid}`)
  t.equal(twice.statusCode, 401)
  t.equal(twice.json().detail, 'malformed request: expected one bearer token')
  t.equal((await app.inject('/api/protected?token=')).json().code, 'RAMPART_JWT_MISSING')
  t.equal((await app.inject(`/api/protected?token=${forged}`)).json().detail, 'invalid token: bad signature')
  t.equal((await app.inject(`/api/protected?tokens=${valid}`)).statusCode, 401)
})

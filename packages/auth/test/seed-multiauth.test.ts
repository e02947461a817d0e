/**
 * Regression of the seed's MultiAuthMiddleware (auth.py), which called the JWT and API key middlewares
 * with `lambda r: r` as `call_next`: their 401 responses were computed and dropped, so an invalid
 * token fell through to the API key, refusals carried no `WWW-Authenticate`, and its own path check
 * (`path.startswith("/api/")` on the raw path) let `//api/...` through unauthenticated.
 */
import t from 'tap'
import { build, serviceKey } from './fixtures/app.js'

t.test('a required path with no credentials is 401, whatever the spelling', async (t) => {
  const { app } = await build()
  for (const url of ['/api/protected', '//api/protected', '/api/%70rotected']) {
    const response = await app.inject(url)
    t.equal(response.statusCode, 401, url)
    t.ok(response.headers['www-authenticate'], `${url}: with a challenge`)
  }
})

t.test('an expired token with a valid API key is 401 (the seed let the key win)', async (t) => {
  const { app } = await build()
  const response = await app.inject({
    url: '/api/data',
    headers: { 'x-token': 'expired', 'x-api-key': serviceKey.key },
  })
  t.equal(response.statusCode, 401)
  t.match(response.headers['www-authenticate'], /error="invalid_token"/)
})

t.test('an API key authenticates as the same one typed identity the JWT path sets', async (t) => {
  const { app } = await build()
  const response = await app.inject({ url: '/api/data', headers: { 'x-api-key': serviceKey.key } })
  // The seed put the key's info in request.state.api_key_info, invisible to the rate limiter's user_id/tier.
  t.equal(response.json().identity.id, 'billing-service')
  t.equal(response.json().identity.tier, 'enterprise')
})

t.test('/api/authx is not the public /api/auth (segment-aware rules)', async (t) => {
  const { app } = await build({ publicPaths: ['/health', '/api/auth'] })
  app.get('/api/auth/login', async () => 'login form')
  app.get('/api/authx', async () => 'secret')
  t.equal((await app.inject('/api/auth/login')).statusCode, 200)
  t.equal((await app.inject('/api/authx')).statusCode, 401)
})

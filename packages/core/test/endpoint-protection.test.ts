import Fastify from 'fastify'
import t from 'tap'
import { declareClientAddress, OptionValidator, protectEndpoint, resolveEndpointProtection } from '../src/index.js'

const validate = new OptionValidator('demo')
const TOKEN = 'a-long-enough-scrape-token'

async function appWith(protection: unknown) {
  const app = Fastify()
  declareClientAddress(app)
  const guard = protectEndpoint('demo', 'the metrics', resolveEndpointProtection(validate, 'protection', protection))
  app.get('/metrics', { onRequest: guard }, async () => 'ok')
  return app
}

t.test('a bearer token: missing 401 with a challenge, wrong 401 invalid_token, right 200', async (t) => {
  const app = await appWith({ bearerToken: TOKEN })
  const missing = await app.inject('/metrics')
  t.equal(missing.statusCode, 401)
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="the metrics"')
  t.equal(missing.json().code, 'RAMPART_DEMO_UNAUTHORIZED')
  const wrong = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.headers['www-authenticate'], /error="invalid_token"/)
  const basic = await app.inject({ url: '/metrics', headers: { authorization: `Basic ${TOKEN}` } })
  t.equal(basic.statusCode, 401, 'another scheme is no token')
  const right = await app.inject({ url: '/metrics', headers: { authorization: `bearer ${TOKEN}` } })
  t.equal(right.statusCode, 200)
})

t.test('an address allowlist is checked before the token', async (t) => {
  const app = await appWith({ allowedIps: ['10.0.0.0/8'], bearerToken: TOKEN })
  const outside = await app.inject({
    url: '/metrics',
    remoteAddress: '203.0.113.1',
    headers: { authorization: `Bearer ${TOKEN}` },
  })
  t.equal(outside.statusCode, 403)
  t.equal(outside.json().code, 'RAMPART_DEMO_FORBIDDEN')
  const inside = await app.inject({
    url: '/metrics',
    remoteAddress: '10.1.2.3',
    headers: { authorization: `Bearer ${TOKEN}` },
  })
  t.equal(inside.statusCode, 200)
  const insideNoToken = await app.inject({ url: '/metrics', remoteAddress: '10.1.2.3' })
  t.equal(insideNoToken.statusCode, 401)
})

t.test('bad protection options name the option and never echo a token', async (t) => {
  t.throws(() => resolveEndpointProtection(validate, 'protection', {}), {
    message: /protection.*bearerToken, allowedIps/,
  })
  t.throws(() => resolveEndpointProtection(validate, 'protection', { bearerToken: 'short' }), {
    message: /"protection\.bearerToken" must be 16/,
  })
  try {
    resolveEndpointProtection(validate, 'protection', { bearerToken: 'secret with spaces here' })
  } catch (error) {
    t.notMatch((error as Error).message, /secret with spaces/)
  }
  t.throws(() => resolveEndpointProtection(validate, 'protection', { allowedIps: [] }), { message: /allowedIps/ })
  t.throws(() => resolveEndpointProtection(validate, 'protection', { allowedIps: ['not-an-ip'] }), {
    message: /allowedIps/,
  })
  t.throws(() => resolveEndpointProtection(validate, 'protection', { other: 1 }), { message: /other/ })
})

import t from 'tap'
import { build, corsHeaders, preflight } from './fixtures/helpers.js'

t.test("origins '*' without credentials sends Access-Control-Allow-Origin: * and no Vary", async (t) => {
  const app = await build({ origins: '*' })
  for (const headers of [{ origin: 'https://anyone.example' }, {}, { origin: 'null' }]) {
    const response = await app.inject({ url: '/', headers })
    t.same(corsHeaders(response.headers), { 'access-control-allow-origin': '*' })
  }
  const response = await app.inject(preflight('https://anyone.example', 'DELETE'))
  t.equal(response.statusCode, 204)
  t.same(corsHeaders(response.headers), {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'access-control-allow-headers': 'Accept, Accept-Language, Content-Language, Content-Type, Authorization',
    'access-control-max-age': '600',
  })
})

t.test(
  "with '*', an OPTIONS request missing Origin or Access-Control-Request-Method is refused as problem+json",
  async (t) => {
    const app = await build({ origins: '*' })
    for (const headers of [{}, { origin: 'https://anyone.example' }, { 'access-control-request-method': 'GET' }]) {
      const response = await app.inject({ method: 'OPTIONS', url: '/', headers })
      t.equal(response.statusCode, 400)
      t.match(response.headers['content-type'], /^application\/problem\+json/)
      t.equal(response.json().code, 'RAMPART_CORS_INVALID_PREFLIGHT')
    }
  },
)

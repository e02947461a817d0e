import t from 'tap'
import { build, corsHeaders, preflight } from './fixtures/helpers.js'

const ORIGINS = ['https://app.example.com']

t.test('a preflight from an allowed origin: 204 with methods, headers, max-age 600', async (t) => {
  const app = await build({ origins: ORIGINS, credentials: true })
  const response = await app.inject(preflight('https://app.example.com', 'PUT', 'content-type, authorization'))
  t.equal(response.statusCode, 204)
  t.equal(response.body, '')
  t.equal(response.headers['content-length'], '0')
  t.same(corsHeaders(response.headers), {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'access-control-allow-headers': 'Accept, Accept-Language, Content-Language, Content-Type, Authorization',
    'access-control-max-age': '600',
    vary: 'Origin',
  })
})

t.test('the configured methods, headers and max-age are sent, never the requested headers', async (t) => {
  const app = await build({ origins: ORIGINS, methods: ['GET', 'PATCH'], allowedHeaders: ['X-Api-Key'], maxAge: 60 })
  const response = await app.inject(preflight('https://app.example.com', 'PATCH', 'x-api-key, x-evil'))
  t.equal(response.statusCode, 204)
  t.equal(response.headers['access-control-allow-methods'], 'GET, PATCH')
  t.equal(response.headers['access-control-allow-headers'], 'X-Api-Key')
  t.equal(response.headers['access-control-max-age'], '60')
  t.equal(response.headers['access-control-allow-credentials'], undefined)
})

t.test('a preflight from a disallowed origin is refused 403 problem+json without CORS headers', async (t) => {
  const app = await build({ origins: ORIGINS, credentials: true })
  for (const origin of [
    'https://evil.com',
    'https://evilapp.example.com',
    'https://app.example.com.evil.com',
    'null',
  ]) {
    const response = await app.inject(preflight(origin))
    t.equal(response.statusCode, 403, origin)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.equal(response.json().code, 'RAMPART_CORS_ORIGIN_NOT_ALLOWED')
    t.same(
      Object.keys(corsHeaders(response.headers)).filter((name) => name.startsWith('access-control-')),
      [],
    )
  }
})

t.test(
  'an OPTIONS request from an allowed origin without Access-Control-Request-Method is a bad preflight',
  async (t) => {
    const app = await build({ origins: ORIGINS })
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/api/items',
      headers: { origin: 'https://app.example.com' },
    })
    t.equal(response.statusCode, 400)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.equal(response.json().code, 'RAMPART_CORS_INVALID_PREFLIGHT')
  },
)

t.test('an OPTIONS request without Origin is no CORS business: it is routed as usual', async (t) => {
  const app = await build({ origins: ORIGINS })
  const response = await app.inject({ method: 'OPTIONS', url: '/api/items' })
  t.equal(response.statusCode, 404)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.equal(response.headers['access-control-allow-origin'], undefined)
})

t.test('an OPTIONS request from a disallowed origin without Access-Control-Request-Method is routed too', async (t) => {
  const app = await build({ origins: ORIGINS })
  const response = await app.inject({ method: 'OPTIONS', url: '/api/items', headers: { origin: 'https://evil.com' } })
  t.equal(response.statusCode, 404)
})

import Fastify from 'fastify'
import t from 'tap'
import rampartCors from '../src/index.js'
import { build, corsHeaders } from './fixtures/helpers.js'

const ORIGINS = ['https://app.example.com', 'http://localhost:3000']

t.test('an allowed origin gets its origin reflected, credentials when enabled, and Vary', async (t) => {
  const app = await build({ origins: ORIGINS, credentials: true })
  const response = await app.inject({ url: '/', headers: { origin: 'https://app.example.com' } })
  t.equal(response.statusCode, 200)
  t.same(corsHeaders(response.headers), {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
  })
  const local = await app.inject({ url: '/', headers: { origin: 'http://localhost:3000' } })
  t.equal(local.headers['access-control-allow-origin'], 'http://localhost:3000')
})

t.test('credentials are off by default', async (t) => {
  const app = await build({ origins: ORIGINS })
  const response = await app.inject({ url: '/', headers: { origin: 'https://app.example.com' } })
  t.same(corsHeaders(response.headers), { 'access-control-allow-origin': 'https://app.example.com', vary: 'Origin' })
})

t.test('disallowed, look-alike and null origins are served without any CORS header', async (t) => {
  const app = await build({ origins: ORIGINS, credentials: true })
  for (const origin of [
    'https://evil.com',
    'https://evilapp.example.com',
    'https://app.example.com.evil.com',
    'https://app.example.co',
    'http://app.example.com',
    'https://app.example.com:8443',
    'https://APP.EXAMPLE.COM',
    'https://app.example.com/',
    'http://localhost:3001',
    'http://localhost',
    'null',
    'https://app.example.com\u0000',
  ]) {
    const response = await app.inject({ method: 'POST', url: '/', headers: { origin }, payload: {} })
    t.equal(response.statusCode, 200, `${origin} is served: the browser, not the server, withholds the response`)
    t.same(corsHeaders(response.headers), { vary: 'Origin' }, origin)
  }
})

t.test('a request without Origin gets no CORS header but Vary: Origin', async (t) => {
  const app = await build({ origins: ORIGINS })
  const response = await app.inject('/')
  t.same(corsHeaders(response.headers), { vary: 'Origin' })
})

t.test('Vary set before the plugin is added to, not overwritten', async (t) => {
  const app = Fastify()
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('vary', 'Accept-Encoding')
  })
  await app.register(rampartCors, { origins: ORIGINS })
  app.get('/', async () => 'ok')
  const response = await app.inject({ url: '/', headers: { origin: 'https://app.example.com' } })
  t.equal(response.headers.vary, 'Accept-Encoding, Origin')
})

t.test('exposedHeaders are sent to allowed origins only', async (t) => {
  const app = await build({ origins: ORIGINS, exposedHeaders: ['RateLimit', 'Retry-After'] })
  const allowed = await app.inject({ url: '/', headers: { origin: 'https://app.example.com' } })
  t.equal(allowed.headers['access-control-expose-headers'], 'RateLimit, Retry-After')
  const refused = await app.inject({ url: '/', headers: { origin: 'https://evil.com' } })
  t.equal(refused.headers['access-control-expose-headers'], undefined)
  const none = await build({ origins: ORIGINS })
  const byDefault = await none.inject({ url: '/', headers: { origin: 'https://app.example.com' } })
  t.equal(byDefault.headers['access-control-expose-headers'], undefined, 'nothing exposed by default')
})

t.test('refusals by later plugins still carry CORS headers, so the browser can read them', async (t) => {
  const app = await build({ origins: ORIGINS })
  const response = await app.inject({
    method: 'DELETE',
    url: '/nowhere',
    headers: { origin: 'https://app.example.com' },
  })
  t.equal(response.statusCode, 404)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.equal(response.headers['access-control-allow-origin'], 'https://app.example.com')
})

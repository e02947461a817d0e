import Fastify from 'fastify'
import t from 'tap'
import rampartApiKey from '../src/index.js'
import { alice, bob, build, KEYS } from './fixtures/app.js'

t.test('a key without a scope the route requires is 403 with an insufficient_scope challenge', async (t) => {
  const app = await build()
  const response = await app.inject({ method: 'POST', url: '/api/write', headers: { 'x-api-key': bob.key } })
  t.equal(response.statusCode, 403)
  t.equal(response.json().code, 'RAMPART_API_KEY_INSUFFICIENT_SCOPE')
  t.equal(response.json().detail, 'missing scope: write')
  t.equal(
    response.headers['www-authenticate'],
    'ApiKey realm="api", header="X-API-Key", error="insufficient_scope", scope="write"',
  )
  const allowed = await app.inject({ method: 'POST', url: '/api/write', headers: { 'x-api-key': alice.key } })
  t.equal(allowed.statusCode, 200)
})

t.test('scopes make a route required, even under a public path', async (t) => {
  const app = Fastify()
  await app.register(rampartApiKey, { keys: KEYS, publicPaths: ['/'], requiredPaths: [] })
  app.get('/reports', { config: { rampart: { apiKey: { scopes: ['read'] } } } }, async () => 'ok')
  app.get('/other', async () => 'ok')
  t.equal((await app.inject('/reports')).statusCode, 401)
  t.equal((await app.inject({ url: '/reports', headers: { 'x-api-key': bob.key } })).statusCode, 200)
  t.equal((await app.inject('/other')).statusCode, 200)
})

t.test('a route config asking for scopes but not requiring a key is refused at startup', async (t) => {
  const app = Fastify()
  await app.register(rampartApiKey, { keys: KEYS })
  t.throws(
    () => app.get('/x', { config: { rampart: { apiKey: { required: false, scopes: ['read'] } } } }, async () => 'ok'),
    { code: 'RAMPART_API_KEY_INVALID_OPTION', message: /required" cannot be false when `scopes` are required/ },
  )
  t.throws(() => app.get('/y', { config: { rampart: { apiKey: { scope: ['read'] } as never } } }, async () => 'ok'), {
    code: 'RAMPART_API_KEY_INVALID_OPTION',
    message: /scope" is not a known option/,
  })
})

t.test('routes registered before the plugin still get their route config', async (t) => {
  const app = Fastify()
  app.register(async (child) => {
    child.get('/early', { config: { rampart: { apiKey: { scopes: ['admin'] } } } }, async () => 'ok')
  })
  await app.register(rampartApiKey, { keys: KEYS })
  t.equal((await app.inject({ url: '/early', headers: { 'x-api-key': alice.key } })).statusCode, 403)
})

import { createApiKeyStrategy, generateApiKey } from '@rampart/api-key'
import Fastify from 'fastify'
import t from 'tap'
import rampartAuth from '../src/index.js'
import { tokenStrategy } from './fixtures/strategies.js'

const key = generateApiKey()

async function build(query: string | false) {
  const app = Fastify()
  const apiKey = createApiKeyStrategy(app, {
    query,
    keys: [{ id: 'k', owner: 'partner', scopes: ['orders:read'], tier: 'basic', hash: key.hash }],
  })
  await app.register(rampartAuth, { strategies: [tokenStrategy(), apiKey] })
  app.get(
    '/api/orders',
    { config: { rampart: { auth: { scopes: ['orders:read'] } } } },
    async (request) => request.identity,
  )
  app.post('/api/orders', { config: { rampart: { auth: { scopes: ['orders:write'] } } } }, async () => 'created')
  return app
}

t.test('through auth: unknown key 401, valid key identity, missing scope 403', async (t) => {
  const app = await build(false)
  const unknown = await app.inject({ url: '/api/orders', headers: { 'x-api-key': generateApiKey().key } })
  t.equal(unknown.statusCode, 401)
  t.equal(unknown.json().code, 'RAMPART_AUTH_INVALID')
  const valid = await app.inject({ url: '/api/orders', headers: { 'x-api-key': key.key } })
  t.equal(valid.statusCode, 200)
  t.same(valid.json(), {
    id: 'partner',
    kind: 'api-key',
    tier: 'basic',
    scopes: ['orders:read'],
    claims: { keyId: 'k' },
  })
  const write = await app.inject({ method: 'POST', url: '/api/orders', headers: { 'x-api-key': key.key } })
  t.equal(write.statusCode, 403)
  t.equal(write.json().code, 'RAMPART_AUTH_INSUFFICIENT_SCOPE')
})

t.test('through auth: a key in the query string counts only when the strategy enables it', async (t) => {
  const off = await build(false)
  const refused = await off.inject(`/api/orders?api_key=${key.key}`)
  t.equal(refused.statusCode, 401)
  t.equal(refused.json().code, 'RAMPART_AUTH_MISSING')
  const on = await build('api_key')
  t.equal((await on.inject(`/api/orders?api_key=${key.key}`)).statusCode, 200)
})

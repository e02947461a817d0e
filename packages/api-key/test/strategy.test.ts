import Fastify from 'fastify'
import t from 'tap'
import rampartApiKey, { createApiKeyStrategy, generateApiKey, hashApiKey } from '../src/index.js'

const pepper = 'pepper-pepper-pepper-pepper'
const service = generateApiKey({ pepper })

t.test('createApiKeyStrategy implements AuthStrategy: absent, authenticated, invalid', async (t) => {
  const app = Fastify()
  const strategy = createApiKeyStrategy(app, {
    pepper,
    keys: [{ id: 'svc', owner: 'billing-service', scopes: ['invoices:read'], tier: 'enterprise', hash: service.hash }],
  })
  t.equal(strategy.name, 'api-key')
  t.equal(strategy.challenge, 'ApiKey realm="api", header="X-API-Key"')
  app.get('/', async (request) => strategy.authenticate(request))
  t.same((await app.inject('/')).json(), { status: 'absent' })
  t.same((await app.inject({ url: '/', headers: { 'x-api-key': service.key } })).json(), {
    status: 'authenticated',
    identity: {
      id: 'billing-service',
      kind: 'api-key',
      tier: 'enterprise',
      scopes: ['invoices:read'],
      claims: { keyId: 'svc' },
    },
  })
  t.same((await app.inject({ url: '/', headers: { 'x-api-key': 'rk_not-a-real-key' } })).json(), {
    status: 'invalid',
    error: 'invalid_token',
    description: 'unknown API key',
  })
})

t.test('the pepper matters: the unpeppered hash of a key does not authenticate it', async (t) => {
  const strategy = createApiKeyStrategy(Fastify(), {
    pepper,
    keys: [{ id: 'svc', owner: 'o', hash: hashApiKey(service.key) }],
  })
  t.equal((await strategy.authenticate({ headers: { 'x-api-key': service.key } } as never)).status, 'invalid')
  t.equal(strategy.hash(service.key), service.hash)
})

t.test('the standalone plugin and a strategy can share one app (identity declared once)', async (t) => {
  const app = Fastify()
  createApiKeyStrategy(app, { keys: [{ id: 'svc', owner: 'o', hash: service.hash }] })
  await app.register(rampartApiKey, { keys: [{ id: 'svc', owner: 'o', hash: service.hash }], requiredPaths: [] })
  await app.register(rampartApiKey, { keys: [{ id: 'other', owner: 'p', hash: generateApiKey().hash }] })
  app.get('/', async () => 'ok')
  await app.ready()
  t.pass()
})

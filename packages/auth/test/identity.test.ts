import Fastify from 'fastify'
import t from 'tap'
import rampartAuth, { getAuthentication } from '../src/index.js'
import { build, serviceKey } from './fixtures/app.js'
import { tokenStrategy } from './fixtures/strategies.js'

t.test('request.identity is declared at register and null when anonymous', async (t) => {
  const { app } = await build({ defaultPolicy: 'optional' })
  t.ok(app.hasRequestDecorator('identity'))
  const response = await app.inject('/api/data')
  t.same(response.json(), { identity: null, authentication: null })
})

t.test('one typed identity: id, kind, tier, scopes, claims', async (t) => {
  const { app } = await build()
  const response = await app.inject({ url: '/api/data', headers: { 'x-api-key': serviceKey.key } })
  t.same(response.json().identity, {
    id: 'billing-service',
    kind: 'api-key',
    tier: 'enterprise',
    scopes: ['read', 'write', 'invoices'],
    claims: { keyId: 'svc' },
  })
})

t.test('onRequest by default: a limiter at preHandler (and every later hook) sees the identity', async (t) => {
  const app = Fastify()
  await app.register(rampartAuth, { strategies: [tokenStrategy()] })
  const seen: string[] = []
  app.addHook('onRequest', async (request) => {
    seen.push(`onRequest after auth: ${request.identity?.id}`)
  })
  app.addHook('preHandler', async (request) => {
    seen.push(`preHandler: ${request.identity?.id} ${request.identity?.tier}`)
  })
  app.get('/x', async () => 'ok')
  await app.inject({ url: '/x', headers: { 'x-token': 'alice' } })
  t.same(seen, ['onRequest after auth: alice', 'preHandler: alice pro'])
})

t.test('hook: preHandler authenticates after the body is parsed', async (t) => {
  const app = Fastify()
  await app.register(rampartAuth, { strategies: [tokenStrategy()], hook: 'preHandler' })
  const seen: unknown[] = []
  app.addHook('preValidation', async (request) => {
    seen.push(request.identity)
  })
  app.post('/x', async (request) => ({ id: request.identity?.id, body: request.body }))
  const response = await app.inject({ method: 'POST', url: '/x', headers: { 'x-token': 'bob' }, payload: { a: 1 } })
  t.same(response.json(), { id: 'bob', body: { a: 1 } })
  t.same(seen, [null], 'not yet authenticated before preHandler')
  t.equal((await app.inject({ method: 'POST', url: '/x', payload: { a: 1 } })).statusCode, 401)
})

t.test('getAuthentication says which strategy authenticated', async (t) => {
  const app = Fastify()
  await app.register(rampartAuth, { strategies: [tokenStrategy()], defaultPolicy: 'optional' })
  app.get('/x', async (request) => getAuthentication(request))
  t.same((await app.inject({ url: '/x', headers: { 'x-token': 'bob' } })).json(), {
    strategies: ['jwt'],
    identities: [{ id: 'bob', kind: 'user', scopes: ['read'] }],
  })
  t.equal((await app.inject('/x')).body, 'null')
})

t.test('registering auth next to another plugin that declared identity does not fail', async (t) => {
  const app = Fastify()
  app.decorateRequest('identity', null)
  await app.register(rampartAuth, { strategies: [tokenStrategy()] })
  await app.ready()
  t.pass()
})

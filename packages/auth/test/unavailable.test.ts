import { createApiKeyStrategy, generateApiKey, RedisApiKeyStore } from '@rampart/api-key'
import Fastify from 'fastify'
import t from 'tap'
import rampartAuth, { failedChannel } from '../src/index.js'
import { FailingStrategy, tokenStrategy } from './fixtures/strategies.js'

t.test('a strategy that throws is 503 problem+json, never a 500, and is reported', async (t) => {
  const app = Fastify()
  await app.register(rampartAuth, { strategies: [new FailingStrategy(), tokenStrategy()] })
  app.get('/x', async () => 'ok')
  const reasons: string[] = []
  const off = failedChannel.subscribe((event) => reasons.push(`${event.strategy} ${event.reason}`))
  t.teardown(off)
  const response = await app.inject({ url: '/x', headers: { 'x-broken': '1' } })
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'RAMPART_AUTH_UNAVAILABLE')
  t.equal(response.headers['retry-after'], '1', 'says when to retry')
  t.same(reasons, ['broken unavailable'])
  t.equal((await app.inject({ url: '/x', headers: { 'x-token': 'alice' } })).statusCode, 200, 'others still work')
})

t.test('the API key strategy over an unreachable Redis: 503 within its command timeout', async (t) => {
  const store = new RedisApiKeyStore({ url: 'redis://127.0.0.1:1', commandTimeout: 100 })
  store.client.on('error', () => {})
  t.teardown(() => store.client.disconnect())
  const app = Fastify()
  await app.register(rampartAuth, { strategies: [tokenStrategy(), createApiKeyStrategy(app, { store })] })
  app.get('/x', async () => 'ok')
  const response = await app.inject({ url: '/x', headers: { 'x-api-key': generateApiKey().key } })
  t.equal(response.statusCode, 503)
  t.equal((await app.inject({ url: '/x', headers: { 'x-token': 'bob' } })).statusCode, 200)
})

import Fastify from 'fastify'
import t from 'tap'
import rampartApiKey, { createApiKeyStrategy, generateApiKey, RedisApiKeyStore } from '../src/index.js'
import { REDIS_URL, testClient, uniquePrefix } from './fixtures/redis.js'

const withKey = (key: string) => ({ headers: { 'x-api-key': key } }) as never

t.test('put, find, rotate and revoke records by hash in real Redis', async (t) => {
  const prefix = uniquePrefix()
  const client = testClient(t, prefix)
  const store = new RedisApiKeyStore({ client, prefix })
  const first = generateApiKey()
  await store.put({ id: 'k1', owner: 'alice', scopes: ['read'], tier: 'pro', hash: first.hash })
  t.same(await store.find(first.hash), { id: 'k1', owner: 'alice', scopes: ['read'], tier: 'pro' })
  t.equal(await store.hashOf('k1'), first.hash)
  t.same(await client.keys(`${prefix}*`).then((keys) => keys.sort()), [
    `${prefix}{api-keys}:by-hash`,
    `${prefix}{api-keys}:by-id`,
  ])
  t.equal(await store.find(generateApiKey().hash), null)
  t.equal(await store.find('not-a-hash'), null)

  const rotated = generateApiKey()
  await store.put({ id: 'k1', owner: 'alice', hash: rotated.hash })
  t.equal(await store.find(first.hash), null, 'the old hash stops working at once')
  t.same(await store.find(rotated.hash), { id: 'k1', owner: 'alice' })

  await t.rejects(store.put({ id: 'k2', owner: 'mallory', hash: rotated.hash }), {
    code: 'RAMPART_API_KEY_STORE_CONFLICT',
  })
  await t.rejects(store.put({ id: 'k3', owner: '', hash: generateApiKey().hash }), {
    code: 'RAMPART_API_KEY_INVALID_RECORD',
  })
  await t.rejects(store.put({ id: 'k3', owner: 'o', hash: 'XYZ' }), { code: 'RAMPART_API_KEY_INVALID_RECORD' })

  t.equal(await store.revoke('k1'), true)
  t.equal(await store.revoke('k1'), false)
  t.equal(await store.find(rotated.hash), null)
})

t.test('a corrupt stored record is an error, never an identity', async (t) => {
  const prefix = uniquePrefix()
  const client = testClient(t, prefix)
  const store = new RedisApiKeyStore({ client, prefix })
  const { hash } = generateApiKey()
  await client.hset(store.byHashKey, hash, '{"id":"x"}')
  await t.rejects(store.find(hash), { code: 'RAMPART_API_KEY_INVALID_RECORD' })
  await client.hset(store.byHashKey, hash, 'not json')
  await t.rejects(store.find(hash), { code: 'RAMPART_API_KEY_INVALID_RECORD' })
})

t.test('the plugin authenticates keys from the Redis store, caching answers', async (t) => {
  const prefix = uniquePrefix()
  const client = testClient(t, prefix)
  const store = new RedisApiKeyStore({ client, prefix })
  const key = generateApiKey()
  await store.put({ id: 'k1', owner: 'alice', scopes: ['read'], tier: 'basic', hash: key.hash })
  const app = Fastify()
  await app.register(rampartApiKey, { store })
  app.get('/api/me', async (request) => request.identity)
  const response = await app.inject({ url: '/api/me', headers: { 'x-api-key': key.key } })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { id: 'alice', kind: 'api-key', tier: 'basic', scopes: ['read'], claims: { keyId: 'k1' } })
  t.equal((await app.inject({ url: '/api/me', headers: { 'x-api-key': generateApiKey().key } })).statusCode, 401)
})

t.test('revocation reaches a strategy when its cache entry is forgotten (or after the ttl)', async (t) => {
  const prefix = uniquePrefix()
  const client = testClient(t, prefix)
  const store = new RedisApiKeyStore({ client, prefix })
  const key = generateApiKey()
  await store.put({ id: 'k1', owner: 'alice', hash: key.hash })
  const strategy = createApiKeyStrategy(Fastify(), { store })
  t.equal((await strategy.authenticate(withKey(key.key))).status, 'authenticated')
  await store.revoke('k1')
  t.equal((await strategy.authenticate(withKey(key.key))).status, 'authenticated', 'cached up to ttl')
  strategy.forget(key.hash)
  t.equal((await strategy.authenticate(withKey(key.key))).status, 'invalid')
})

t.test('a store with its own client from a URL; close() quits it', async (t) => {
  const prefix = uniquePrefix()
  testClient(t, prefix)
  const store = new RedisApiKeyStore({ url: REDIS_URL, prefix })
  const key = generateApiKey()
  await store.put({ id: 'k1', owner: 'alice', hash: key.hash })
  t.same(await store.find(key.hash), { id: 'k1', owner: 'alice' })
  await store.close()
  t.equal(store.client.status, 'end')
})

t.test('Redis unreachable: 503 problem+json within the command timeout, never 500 or a hang', async (t) => {
  const store = new RedisApiKeyStore({ url: 'redis://127.0.0.1:1', commandTimeout: 100 })
  t.teardown(() => store.client.disconnect())
  store.client.on('error', () => {})
  const app = Fastify({ logger: false })
  await app.register(rampartApiKey, { store })
  app.get('/api/me', async (request) => request.identity)
  const started = Date.now()
  const response = await app.inject({ url: '/api/me', headers: { 'x-api-key': generateApiKey().key } })
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'RAMPART_API_KEY_UNAVAILABLE')
  t.equal(response.headers['retry-after'], '1', 'says when to retry')
  t.ok(Date.now() - started < 2000)
})

t.test('store options are checked', async (t) => {
  t.throws(() => new RedisApiKeyStore({}), { code: 'RAMPART_API_KEY_INVALID_OPTION', message: /store/ })
  t.throws(() => new RedisApiKeyStore({ url: REDIS_URL, prefix: 'bad prefix' }), TypeError)
  t.throws(() => new RedisApiKeyStore({ url: REDIS_URL, commandTimeout: 0 }), { message: /store\.commandTimeout/ })
})

import t from 'tap'
import { MemoryNonceStore, type NonceStore, RedisNonceStore, rejectedChannel, signRequest } from '../src/index.js'
import {
  buildApp,
  fakeClock,
  KEY_ID,
  OTHER_ID,
  OTHER_SECRET,
  SECRET,
  signed,
  testRedis,
  uniquePrefix,
} from './fixtures/helpers.js'

const body = JSON.stringify({ amount: 10 })
const json = { 'content-type': 'application/json' }

t.test('a replayed nonce is refused with RAMPART_SIGNATURE_REPLAYED (memory store)', async (t) => {
  const app = await buildApp(t)
  const reasons: string[] = []
  t.teardown(rejectedChannel.subscribe((event) => reasons.push(event.reason)))
  const request = signed({ method: 'POST', url: '/api/echo', body }, json)
  t.equal((await app.inject(request)).statusCode, 200)
  const replay = await app.inject(request)
  t.equal(replay.statusCode, 401)
  t.equal(replay.json().code, 'RAMPART_SIGNATURE_REPLAYED')
  t.same(reasons, ['replayed'])
  const again = signed({ method: 'POST', url: '/api/echo', body }, json)
  t.equal((await app.inject(again)).statusCode, 200, 'a new nonce for the same request is fine')
})

t.test('a forged request never burns the nonce of the real one', async (t) => {
  const app = await buildApp(t)
  const nonce = 'nonce-seen-first-by-an-attacker'
  const real = signed({ method: 'POST', url: '/api/echo', body, nonce }, json)
  const forged = { ...real, headers: { ...real.headers, 'x-signature': 'f'.repeat(64) } }
  t.equal((await app.inject(forged)).statusCode, 401)
  t.equal((await app.inject({ ...real, payload: '{"amount":9999}' })).statusCode, 401)
  t.equal((await app.inject(real)).statusCode, 200, 'the real request still goes through')
})

t.test('nonces are per key id', async (t) => {
  const app = await buildApp(t)
  const nonce = 'shared-nonce-value-0001'
  t.equal((await app.inject(signed({ method: 'GET', url: '/api/items', nonce }))).statusCode, 200)
  const other = signRequest({ keyId: OTHER_ID, secret: OTHER_SECRET, method: 'GET', url: '/api/items', nonce })
  t.equal((await app.inject({ method: 'GET', url: '/api/items', headers: other })).statusCode, 200)
})

t.test('the memory store forgets a nonce after twice the tolerance, and is bounded', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now, maxNonces: 3 })
  const start = clock.now()
  const nonce = 'remembered-for-600-seconds'
  const request = signed({ method: 'GET', url: '/api/items', nonce, now: clock.now })
  t.equal((await app.inject(request)).statusCode, 200)
  clock.set(start + 299_000)
  t.equal(
    (await app.inject(request)).json().code,
    'RAMPART_SIGNATURE_REPLAYED',
    'still remembered within the tolerance',
  )
  clock.set(start + 301_000)
  t.equal(
    (await app.inject(request)).json().code,
    'RAMPART_SIGNATURE_EXPIRED',
    'past the tolerance the timestamp refuses it',
  )

  clock.set(start)
  for (let i = 0; i < 2; i++) {
    t.equal((await app.inject(signed({ method: 'GET', url: '/api/items', now: clock.now }))).statusCode, 200)
  }
  const full = await app.inject(signed({ method: 'GET', url: '/api/items', now: clock.now }))
  t.equal(full.statusCode, 503, 'full of unexpired nonces: refused, never a forgotten nonce')
  t.equal(full.json().code, 'RAMPART_SIGNATURE_UNAVAILABLE')
  t.equal(full.headers['retry-after'], '1')
  clock.set(start + 600_000)
  t.equal(
    (await app.inject(signed({ method: 'GET', url: '/api/items', now: clock.now }))).statusCode,
    200,
    'expired nonces make room',
  )
})

t.test('MemoryNonceStore on its own', async (t) => {
  const clock = fakeClock()
  const store = new MemoryNonceStore({ maxEntries: 2, now: clock.now })
  t.equal(store.remember('a', 10), true)
  t.equal(store.remember('a', 10), false)
  t.equal(store.remember('b', 10), true)
  t.throws(() => store.remember('c', 10), { code: 'RAMPART_SIGNATURE_NONCE_STORE_FULL' })
  clock.set(clock.now() + 10_000)
  t.equal(store.remember('a', 10), true, 'expired: new again')
  t.equal(store.size, 1, 'expired entries dropped')
  clock.set(clock.now() + 10_000)
  t.equal(store.remember('long', 100), true)
  t.equal(store.remember('short', 1), true)
  clock.set(clock.now() + 2_000)
  t.equal(store.remember('short', 1), true, 'expired behind an unexpired one: new again')
  t.equal(store.remember('long', 100), false)
  store.close()
  t.equal(store.size, 0)
  t.throws(() => new MemoryNonceStore({ maxEntries: 0 }), TypeError)
})

t.test('a replay is refused across two Fastify instances sharing one real Redis', async (t) => {
  const prefix = uniquePrefix()
  const admin = testRedis(t, prefix)
  const first = await buildApp(t, { redis: 'redis://127.0.0.1:6379', redisPrefix: prefix })
  const second = await buildApp(t, { redis: { url: 'redis://127.0.0.1:6379' }, redisPrefix: prefix })
  const request = signed({ method: 'POST', url: '/api/echo', body }, json)
  t.equal((await first.inject(request)).statusCode, 200)
  const replay = await second.inject(request)
  t.equal(replay.statusCode, 401)
  t.equal(replay.json().code, 'RAMPART_SIGNATURE_REPLAYED')
  const nonce = request.headers['x-signature-nonce']
  const key = `${prefix}${KEY_ID}:${nonce}`
  t.equal(await admin.get(key), '1')
  const ttl = await admin.ttl(key)
  t.ok(ttl > 590 && ttl <= 600, `expires after twice the tolerance (ttl ${ttl})`)

  // Both at once: exactly one wins.
  const race = signed({ method: 'POST', url: '/api/echo', body }, json)
  const codes = (await Promise.all([first.inject(race), second.inject(race)])).map((r) => r.statusCode).sort()
  t.same(codes, [200, 401])
})

t.test('a Redis client you own is used and never closed', async (t) => {
  const prefix = uniquePrefix()
  const client = testRedis(t, prefix)
  const app = await buildApp(t, { redis: client, redisPrefix: prefix })
  const request = signed({ method: 'GET', url: '/api/items' })
  t.equal((await app.inject(request)).statusCode, 200)
  t.equal((await app.inject(request)).statusCode, 401)
  await app.close()
  t.equal(client.status, 'ready')
  t.equal((await client.keys(`${prefix}*`)).length, 1)
})

t.test('Redis unreachable: 503 problem+json (fail closed), never a 500 or a pass', async (t) => {
  const app = await buildApp(t, { redis: { url: 'redis://127.0.0.1:1', commandTimeout: 100 } })
  const reasons: string[] = []
  t.teardown(rejectedChannel.subscribe((event) => reasons.push(event.reason)))
  const response = await app.inject(signed({ method: 'POST', url: '/api/echo', body }, json))
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'RAMPART_SIGNATURE_UNAVAILABLE')
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.same(reasons, ['unavailable'])
  const forged = signed({ method: 'POST', url: '/api/echo', body }, json)
  forged.headers['x-signature'] = '0'.repeat(64)
  t.equal((await app.inject(forged)).statusCode, 401, 'a bad signature is still a 401: the store is never asked')
})

t.test('a custom nonce store; one that throws fails closed', async (t) => {
  const seen: [string, number][] = []
  const store: NonceStore = {
    remember: async (key, ttl) => {
      seen.push([key, ttl])
      if (key.endsWith('boom-boom-boom-boom')) throw new Error('store down')
      return true
    },
  }
  const app = await buildApp(t, { nonceStore: store, tolerance: 60 })
  const request = signed({ method: 'GET', url: '/api/items', nonce: 'custom-store-nonce-1' })
  t.equal((await app.inject(request)).statusCode, 200)
  t.same(seen, [[`${KEY_ID}:custom-store-nonce-1`, 120]])
  const boom = await app.inject(signed({ method: 'GET', url: '/api/items', nonce: 'boom-boom-boom-boom' }))
  t.equal(boom.statusCode, 503)
})

t.test('the Redis health check is registered', async (t) => {
  const { healthChecks } = await import('@rampart/core')
  const prefix = uniquePrefix()
  testRedis(t, prefix)
  const app = await buildApp(t, { redis: 'redis://127.0.0.1:6379', redisPrefix: prefix })
  const check = healthChecks(app).get('signature:redis')
  t.ok(check)
  t.same(await check?.(), { status: 'healthy' })
})

t.test('signRequest default nonces are unique', async (t) => {
  const nonces = new Set<string>()
  for (let i = 0; i < 1000; i++) {
    nonces.add(signRequest({ keyId: KEY_ID, secret: SECRET, method: 'GET', url: '/x' })['x-signature-nonce'])
  }
  t.equal(nonces.size, 1000)
})

t.test('RedisNonceStore on its own, as a nonceStore', async (t) => {
  t.throws(() => new RedisNonceStore({ redis: 'redis://127.0.0.1:6379', prefix: 'bad prefix' }), {
    code: 'RAMPART_SIGNATURE_INVALID_ARGUMENT',
  })
  t.throws(() => new RedisNonceStore({ redis: 'http://x' }), { code: 'RAMPART_SIGNATURE_INVALID_OPTION' })
  const prefix = uniquePrefix()
  testRedis(t, prefix)
  const store = new RedisNonceStore({ redis: 'redis://127.0.0.1:6379', prefix })
  t.equal(await store.remember('k:n', 10), true)
  t.equal(await store.remember('k:n', 10), false)
  const app = await buildApp(t, { nonceStore: store })
  const request = signed({ method: 'GET', url: '/api/items' })
  t.equal((await app.inject(request)).statusCode, 200)
  t.equal((await app.inject(request)).statusCode, 401)
  await app.close()
  t.equal(store.client.status, 'end', 'closed with the app')
})

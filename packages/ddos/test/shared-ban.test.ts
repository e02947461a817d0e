import { once } from 'node:events'
import { healthChecks } from '@rampart/core'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import t from 'tap'
import { REDIS_RETRY_MS } from '../src/bans.js'
import { hashClient } from '../src/client-key.js'
import rampartDdos, { type DdosOptions, type UnbannedEvent, unbannedChannel } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { adminClient, deleteKeys, keysUnder, REDIS_URL, randomPrefix } from './fixtures/redis.js'

// Bans shared through one real Redis: a ban decided on instance A refuses the client on instance
// B. B asks Redis about a client at most once per `redisCheckIntervalMs`; a Redis that fails
// never fails a request.

const admin = adminClient(t)
const unbanned: UnbannedEvent[] = []
t.teardown(unbannedChannel.subscribe((event) => unbanned.push(event)))

async function instance(prefix: string, options: DdosOptions = {}) {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartDdos, { surge: false, shedding: false, redis: REDIS_URL, prefix, ...options })
  app.get('/', async () => ({ ok: true }))
  return app
}

function prefixFor(t: { teardown(fn: () => unknown): void }): string {
  const prefix = randomPrefix('shared')
  t.teardown(() => deleteKeys(admin, prefix))
  return prefix
}

const C = { remoteAddress: '192.0.2.77' }

t.test('a ban made on A refuses the client on B', async (t) => {
  const prefix = prefixFor(t)
  const a = await instance(prefix)
  const b = await instance(prefix)
  await a.rampartDdos.ban('192.0.2.77', 60_000)

  const keys = await keysUnder(admin, prefix)
  t.equal(keys.length, 1)
  t.match(keys[0], new RegExp(`^${prefix}ban:[A-Za-z0-9_-]{22}$`), 'the client is hashed, never stored in clear')
  const ttl = await admin.pttl(keys[0] as string)
  t.ok(ttl > 50_000 && ttl <= 60_000, `the key expires with the ban (${ttl})`)

  const refused = await b.inject({ url: '/', ...C })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'RAMPART_DDOS_BANNED')
  const retry = Number(refused.headers['retry-after'])
  t.ok(retry > 50 && retry <= 60, `Retry-After from the time Redis has left (${retry})`)
  t.equal(b.rampartDdos.status().bans.shared, 'ok')
  t.equal((await b.inject({ url: '/', remoteAddress: '192.0.2.78' })).statusCode, 200, 'other clients pass')
})

t.test('a rate-threshold ban on A refuses on B', async (t) => {
  const prefix = prefixFor(t)
  const a = await instance(prefix, { rate: { max: 3, windowMs: 60_000 } })
  const b = await instance(prefix)
  const statuses: number[] = []
  for (let i = 0; i < 4; i++) statuses.push((await a.inject({ url: '/', ...C })).statusCode)
  t.same(statuses, [200, 200, 200, 403])
  // The ban is written to Redis without holding the refusal up; wait for it to land.
  for (let i = 0; i < 200 && (await keysUnder(admin, prefix)).length === 0; i++)
    await new Promise((r) => setTimeout(r, 10))
  t.equal((await b.inject({ url: '/', ...C })).statusCode, 403)
})

t.test('B trusts a recent answer for redisCheckIntervalMs, then asks Redis again', async (t) => {
  const prefix = prefixFor(t)
  const clock = new FakeClock()
  const a = await instance(prefix)
  const b = await instance(prefix, { now: clock.now, redisCheckIntervalMs: 1000 })
  t.equal((await b.inject({ url: '/', ...C })).statusCode, 200, 'looked up: not banned')
  await a.rampartDdos.ban('192.0.2.77', 60_000)
  clock.advance(999)
  t.equal((await b.inject({ url: '/', ...C })).statusCode, 200, 'the known-good answer stands within the interval')
  clock.advance(1)
  t.equal((await b.inject({ url: '/', ...C })).statusCode, 403, 'the next lookup sees the ban')
})

t.test('an unban on A lifts the ban B learned from Redis at its next lookup', async (t) => {
  const prefix = prefixFor(t)
  const clock = new FakeClock()
  const a = await instance(prefix)
  const b = await instance(prefix, { now: clock.now, redisCheckIntervalMs: 1000 })
  await a.rampartDdos.ban('192.0.2.77', 60_000)
  t.equal((await b.inject({ url: '/', ...C })).statusCode, 403)
  t.equal(b.rampartDdos.status().bans.count, 1, 'B holds the ban locally')
  t.equal(await a.rampartDdos.unban('192.0.2.77'), true)
  t.same(await keysUnder(admin, prefix), [], 'gone from Redis')
  unbanned.length = 0
  clock.advance(500)
  t.equal((await b.inject({ url: '/', ...C })).statusCode, 403, 'B has not looked again yet')
  clock.advance(500)
  t.equal((await b.inject({ url: '/', ...C })).statusCode, 200, 'lifted')
  t.same(unbanned, [{ client: '192.0.2.77', reason: 'lifted-elsewhere' }])
})

t.test('Redis down: no request fails, bans are local, the health check says degraded', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartDdos, {
    surge: false,
    shedding: false,
    // Nothing listens on port 1: every command fails fast.
    redis: { url: 'redis://127.0.0.1:1', commandTimeout: 100 },
    rate: { max: 2, windowMs: 60_000 },
    now: clock.now,
  })
  app.get('/', async () => ({ ok: true }))
  t.equal((await app.inject({ url: '/', ...C })).statusCode, 200, 'the failed lookup is not a 500')
  t.equal(app.rampartDdos.status().bans.shared, 'down')
  const health = await healthChecks(app).get('ddos')?.()
  t.equal(health?.status, 'degraded')
  t.equal(health?.detail?.sharedBans, 'down')
  t.equal((await app.inject({ url: '/', ...C })).statusCode, 200)
  t.equal((await app.inject({ url: '/', ...C })).statusCode, 403, 'the local ban works')
  await app.rampartDdos.ban('192.0.2.99', 10_000)
  t.equal((await app.inject({ url: '/', remoteAddress: '192.0.2.99' })).statusCode, 403, 'API bans too')
  t.equal(await app.rampartDdos.unban('192.0.2.99'), true)
})

t.test('Redis is the source of truth: a key deleted there lifts the ban at the next lookup', async (t) => {
  const prefix = prefixFor(t)
  const clock = new FakeClock()
  const app = await instance(prefix, { now: clock.now, redisCheckIntervalMs: 1000 })
  await app.rampartDdos.ban('192.0.2.88', 60_000)
  t.equal((await app.inject({ url: '/', remoteAddress: '192.0.2.88' })).statusCode, 403)
  await deleteKeys(admin, prefix)
  unbanned.length = 0
  clock.advance(1000)
  t.equal((await app.inject({ url: '/', remoteAddress: '192.0.2.88' })).statusCode, 200)
  t.same(unbanned, [{ client: '192.0.2.88', reason: 'lifted-elsewhere' }])
})

t.test('a ban made while Redis was unreachable is written there once Redis answers', async (t) => {
  const prefix = prefixFor(t)
  const clock = new FakeClock()
  // Not connected and no offline queue: the first command fails at once (and starts connecting).
  const client = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  const app = await instance(prefix, { now: clock.now, redis: client, redisCheckIntervalMs: 1000 })
  await app.rampartDdos.ban('192.0.2.89', 60_000)
  t.equal(app.rampartDdos.status().bans.shared, 'down')
  t.equal((await app.inject({ url: '/', remoteAddress: '192.0.2.89' })).statusCode, 403, 'held locally')
  if (client.status !== 'ready') await once(client, 'ready')
  clock.advance(REDIS_RETRY_MS)
  t.equal((await app.inject({ url: '/', remoteAddress: '192.0.2.89' })).statusCode, 403, 'still banned')
  t.equal(app.rampartDdos.status().bans.shared, 'ok', 'Redis is back')
  for (let i = 0; i < 200 && (await keysUnder(admin, prefix)).length === 0; i++)
    await new Promise((r) => setTimeout(r, 10))
  const keys = await keysUnder(admin, prefix)
  t.equal(keys.length, 1, 'the ban is in Redis now')
  const ttl = await admin.pttl(keys[0] as string)
  t.ok(ttl > 50_000 && ttl <= 60_000 - REDIS_RETRY_MS, `for the rest of the ban (${ttl})`)
})

t.test('a key an operator set by hand, without an expiry, bans until it is deleted', async (t) => {
  const prefix = prefixFor(t)
  const clock = new FakeClock()
  const app = await instance(prefix, { now: clock.now, redisCheckIntervalMs: 1000 })
  await admin.set(`${prefix}ban:${hashClient('192.0.2.61')}`, '1')
  const refused = await app.inject({ url: '/', remoteAddress: '192.0.2.61' })
  t.equal(refused.statusCode, 403)
  t.equal(refused.headers['retry-after'], '1', 'until the next lookup')
  unbanned.length = 0
  clock.advance(5000)
  t.equal((await app.inject({ url: '/', remoteAddress: '192.0.2.61' })).statusCode, 403, 'still there')
  t.same(unbanned, [], 'held on, not ended and begun again')
  await admin.del(`${prefix}ban:${hashClient('192.0.2.61')}`)
  clock.advance(1000)
  t.equal((await app.inject({ url: '/', remoteAddress: '192.0.2.61' })).statusCode, 200, 'deleted: lifted')
})

t.test('a Redis client you pass stays open after close', async (t) => {
  const prefix = prefixFor(t)
  const app = await instance(prefix, { redis: admin })
  await app.rampartDdos.ban('192.0.2.60', 5000)
  await app.close()
  t.equal(admin.status, 'ready')
  t.equal(await admin.exists((await keysUnder(admin, prefix))[0] as string), 1)
})

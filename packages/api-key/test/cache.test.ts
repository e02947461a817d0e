import Fastify from 'fastify'
import t from 'tap'
import { type ApiKeyRecord, type ApiKeyStrategyOptions, createApiKeyStrategy, generateApiKey } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'

/** A request carrying `key` in X-API-Key (the strategy reads nothing else). */
const withKey = (key: string) => ({ headers: { 'x-api-key': key } }) as never

/** A strategy whose `validate` hook knows `known` and counts its calls. */
function counting(known: ReadonlyMap<string, ApiKeyRecord>, options: Partial<ApiKeyStrategyOptions> = {}) {
  const calls: string[] = []
  const strategy = createApiKeyStrategy(Fastify(), {
    validate: async (key) => {
      calls.push(key)
      return known.get(key) ?? null
    },
    ...options,
  })
  return { strategy, calls }
}

const valid = generateApiKey()
const known = new Map([[valid.key, { id: 'v', owner: 'victor', scopes: ['read'] }]])

t.test('known and unknown answers are cached until their TTL', async (t) => {
  const clock = new FakeClock()
  const { strategy, calls } = counting(known, { now: clock.now, cache: { ttl: 1000, negativeTtl: 100 } })
  for (let i = 0; i < 3; i++) t.equal((await strategy.authenticate(withKey(valid.key))).status, 'authenticated')
  for (let i = 0; i < 3; i++) t.equal((await strategy.authenticate(withKey('rk_unknown-key'))).status, 'invalid')
  t.equal(calls.length, 2, 'one lookup per key')
  t.same(strategy.cacheSize, { known: 1, unknown: 1 })
  clock.advance(100)
  await strategy.authenticate(withKey('rk_unknown-key'))
  await strategy.authenticate(withKey(valid.key))
  t.equal(calls.length, 3, 'the unknown key expired after negativeTtl, the known one did not')
  clock.advance(900)
  await strategy.authenticate(withKey(valid.key))
  t.equal(calls.length, 4, 'the known key expired after ttl')
})

t.test('a cache hit answers synchronously (no promise, no lookup)', async (t) => {
  const { strategy } = counting(known)
  await strategy.authenticate(withKey(valid.key))
  const again = strategy.authenticate(withKey(valid.key))
  t.notOk(again instanceof Promise)
})

t.test('the caches are bounded; a flood of unknown keys never evicts known ones', async (t) => {
  const keys = Array.from({ length: 5 }, () => generateApiKey().key)
  const many = new Map(keys.map((key, index) => [key, { id: `k${index}`, owner: `o${index}` }]))
  const { strategy, calls } = counting(many, { cache: { maxEntries: 3, negativeMaxEntries: 10 } })
  for (const key of keys) await strategy.authenticate(withKey(key))
  t.equal(strategy.cacheSize.known, 3)
  for (let i = 0; i < 1000; i++) await strategy.authenticate(withKey(`rk_random-${i}-padding`))
  t.same(strategy.cacheSize, { known: 3, unknown: 10 })
  const before = calls.length
  for (const key of keys.slice(2)) await strategy.authenticate(withKey(key))
  t.equal(calls.length, before, 'the 3 most recent known keys are still cached')
  await strategy.authenticate(withKey(keys[0] as string))
  t.equal(calls.length, before + 1, 'the least recently used one was dropped')
})

t.test('concurrent requests with one uncached key share one lookup', async (t) => {
  const { strategy, calls } = counting(known)
  const outcomes = await Promise.all(Array.from({ length: 20 }, () => strategy.authenticate(withKey(valid.key))))
  t.equal(calls.length, 1)
  t.ok(outcomes.every((outcome) => outcome.status === 'authenticated'))
})

t.test('cache: false asks every time; forget() and clearCache() drop entries', async (t) => {
  const uncached = counting(known, { cache: false })
  await uncached.strategy.authenticate(withKey(valid.key))
  await uncached.strategy.authenticate(withKey(valid.key))
  t.equal(uncached.calls.length, 2)
  const cached = counting(known)
  await cached.strategy.authenticate(withKey(valid.key))
  cached.strategy.forget(cached.strategy.hash(valid.key))
  await cached.strategy.authenticate(withKey(valid.key))
  cached.strategy.clearCache()
  await cached.strategy.authenticate(withKey(valid.key))
  t.equal(cached.calls.length, 3)
})

t.test('the cache is keyed by hash: no key is kept in memory', async (t) => {
  const { strategy } = counting(known)
  await strategy.authenticate(withKey(valid.key))
  // The only place the strategy keeps keys is its caches; their keys are hashes.
  t.same(strategy.cacheSize, { known: 1, unknown: 0 })
  t.equal(strategy.hash(valid.key), valid.hash)
})

t.test('validator failures reject with a coded 503 error and are not cached', async (t) => {
  let fail = true
  const strategy = createApiKeyStrategy(Fastify(), {
    validate: async () => {
      if (fail) throw new Error('database down')
      return { id: 'v', owner: 'victor' }
    },
  })
  await t.rejects(async () => strategy.authenticate(withKey(valid.key)), {
    code: 'RAMPART_API_KEY_LOOKUP_FAILED',
    statusCode: 503,
    message: /database down/,
  })
  fail = false
  t.equal((await strategy.authenticate(withKey(valid.key))).status, 'authenticated')
})

t.test('a malformed record from the validator is a lookup failure, not an identity', async (t) => {
  const strategy = createApiKeyStrategy(Fastify(), { validate: async () => ({ id: 'v' }) as never })
  await t.rejects(async () => strategy.authenticate(withKey(valid.key)), {
    code: 'RAMPART_API_KEY_LOOKUP_FAILED',
    message: /key record.owner must be a non-empty string/,
  })
})

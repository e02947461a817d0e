import Fastify from 'fastify'
import t from 'tap'
import rampartSignature, { DEFAULTS, resolveOptions } from '../src/index.js'

const keys = { 'client-1': 'x'.repeat(32) }

t.test('bad options fail register with RAMPART_SIGNATURE_INVALID_OPTION naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{}, /option "keys" is required/],
    [{ keys: {} }, /option "keys" needs at least one key/],
    [{ keys: { 'client-1': 'too short' } }, /option "keys.client-1" must be at least 32 bytes/],
    [{ keys: { 'client-1': new Uint8Array(16) } }, /option "keys.client-1" must be at least 32 bytes/],
    [{ keys: { 'client 1': 'x'.repeat(32) } }, /option "keys.client 1" has an id that does not match/],
    [{ keys: { 'client-1': 42 } }, /option "keys.client-1" must be a string or a Uint8Array/],
    [{ keys: 'secret' }, /option "keys" must be an object/],
    [{ keys, tolerance: 0 }, /option "tolerance" must be >= 1/],
    [{ keys, tolerance: 1.5 }, /option "tolerance" must be an integer/],
    [{ keys, required: 'yes' }, /option "required" must be true, false or a list/],
    [{ keys, required: ['api'] }, /option "required\[0\]" must start with "\/"/],
    [{ keys, required: ['/health'] }, /option "required\[0\]" is also in publicPaths/],
    [{ keys, publicPaths: [''] }, /option "publicPaths\[0\]" must be a non-empty string/],
    [{ keys, maxNonces: 0 }, /option "maxNonces" must be >= 1/],
    [{ keys, redis: 'http://x' }, /option "redis.url" must match/],
    [
      { keys, redis: 'redis://127.0.0.1:6379', nonceStore: { remember: () => true } },
      /option "nonceStore" and `redis` exclude/,
    ],
    [{ keys, redisPrefix: 'p:' }, /option "redisPrefix" is only used with `redis`/],
    [{ keys, redis: 'redis://127.0.0.1:6379', maxNonces: 5 }, /option "maxNonces" bounds the memory store only/],
    [{ keys, redis: 'redis://127.0.0.1:6379', redisPrefix: 'has space' }, /option "redisPrefix" must match/],
    [{ keys, nonceStore: {} }, /option "nonceStore.remember" must be a function/],
    [{ keys, realm: 'a"b' }, /option "realm" must match/],
    [{ keys, now: 5 }, /option "now" must be a function/],
    [{ keys, tolerence: 300 }, /option "tolerence" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartSignature, options as any)
    await t.rejects(
      async () => app.ready(),
      { code: 'RAMPART_SIGNATURE_INVALID_OPTION', message },
      JSON.stringify(options),
    )
  }
})

t.test('a bad route config fails at route registration', async (t) => {
  const app = Fastify()
  await app.register(rampartSignature, { keys })
  t.throws(
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong config
    () => app.get('/x', { config: { rampart: { signature: { required: 'yes' } as any } } }, async () => 'x'),
    { code: 'RAMPART_SIGNATURE_INVALID_OPTION', message: /config.rampart.signature \(route GET \/x\).required/ },
  )
  t.throws(
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong config
    () => app.get('/y', { config: { rampart: { signature: { requried: true } as any } } }, async () => 'y'),
    { code: 'RAMPART_SIGNATURE_INVALID_OPTION', message: /requried" is not a known option/ },
  )
})

t.test('defaults, and keys as a Map or bytes', async (t) => {
  const resolved = resolveOptions({ keys: new Map([['k', new Uint8Array(32)]]) })
  t.equal(resolved.tolerance, 300)
  t.equal(resolved.required, true)
  t.same(resolved.publicPaths, DEFAULTS.publicPaths)
  t.same(resolved.nonceStore, { kind: 'memory', maxEntries: 100_000 })
  t.equal(resolved.keys.get('k')?.length, 32)
  t.ok(Object.isFrozen(resolved))
  const redis = resolveOptions({ keys, redis: 'redis://127.0.0.1:6379' })
  t.match(redis.nonceStore, { kind: 'redis', prefix: 'rampart:signature:nonce:' })
})

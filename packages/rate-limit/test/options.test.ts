import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit, { DEFAULTS, MemoryStore, resolveOptions } from '../src/index.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ perMinute: -1 }, /option "perMinute" must be >= 0/],
    [{ perHour: 1.5 }, /option "perHour" must be an integer/],
    [{ burst: '10' }, /option "burst" must be an integer/],
    [{ policies: {} }, /option "policies" must name at least one policy/],
    [
      { policies: { minute: { limit: 1, window: 60 } }, perMinute: 5 },
      /option "perMinute" cannot be combined with `policies`/,
    ],
    [{ policies: { day: { limit: 1, window: 0 } } }, /option "policies\.day\.window" must be >= 1/],
    [
      { policies: { day: { limit: 1, window: 86400, shadow: 'yes' } } },
      /option "policies\.day\.shadow" must be true or false/,
    ],
    [
      { policies: { log: { limit: 20000, window: 60, algorithm: 'sliding-log' } } },
      /must be <= 10000 with the sliding-log algorithm/,
    ],
    [{ algorithm: 'leaky-bucket' }, /option "algorithm" must be one of/],
    [{ ipv6PrefixLength: 32 }, /option "ipv6PrefixLength" must be >= 48/],
    [{ ipv6PrefixLength: 129 }, /option "ipv6PrefixLength" must be <= 128/],
    [{ prefix: 'rl:{tag}' }, /option "prefix" must match/],
    [{ prefix: 'x'.repeat(65) }, /option "prefix" must match/],
    [{ excludedPaths: ['health'] }, /option "excludedPaths\[0\]" must start with "\/"/],
    [{ hook: 'onSend' }, /option "hook" must be one of "onRequest", "preHandler"/],
    [{ key: 'ip' }, /option "key" must be a function/],
    [{ nearLimit: 0 }, /option "nearLimit" must be >=/],
    [{ nearLimit: 1.5 }, /option "nearLimit" must be <= 1/],
    [{ maxClients: 0 }, /option "maxClients" must be >= 1/],
    [{ store: new MemoryStore(), maxClients: 5 }, /option "maxClients" configures the built-in memory store/],
    [{ store: { consume: 1, shared: false } }, /option "store\.consume" must be a function/],
    [{ name: 'Default' }, /option "name" must match/],
    [{ legacyHeaders: 1 }, /option "legacyHeaders" must be true or false/],
    [{ perMinut: 5 }, /option "perMinut" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartRateLimit, options as any)
    await t.rejects(
      async () => app.ready(),
      { code: 'RAMPART_RATE_LIMIT_INVALID_OPTION', message },
      JSON.stringify(options),
    )
  }
})

t.test("the defaults are the seed's: 60/min + 10 burst, 1000/hour, sliding windows", async (t) => {
  const resolved = resolveOptions()
  t.same(
    resolved.policies.map((policy) => [
      policy.name,
      policy.limit,
      policy.burst,
      policy.capacity,
      policy.windowSeconds,
      policy.algorithm,
    ]),
    [
      ['minute', 60, 10, 70, 60, 'sliding-window'],
      ['hour', 1000, 0, 1000, 3600, 'sliding-window'],
    ],
  )
  t.same(DEFAULTS.excludedPaths, ['/health', '/metrics', '/docs', '/openapi.json'])
  t.equal(resolved.ipv6PrefixLength, 64)
  t.equal(resolved.hook, 'onRequest')
  t.ok(resolved.store instanceof MemoryStore)
  t.equal((resolved.store as MemoryStore).maxClients, 100_000)
  t.ok(Object.isFrozen(resolved))
})

t.test('two instances on one Fastify instance cannot share a policy name', async (t) => {
  const app = Fastify()
  app.register(rampartRateLimit)
  app.register(rampartRateLimit, { name: 'user', prefix: 'u:', policies: { minute: { limit: 5, window: 60 } } })
  await t.rejects(async () => app.ready(), {
    message: /"policies\.minute" is already a policy of rate-limit instance "default"/,
  })
})

t.test('a memory store shared with different policies under one scope is refused', async (t) => {
  const store = new MemoryStore()
  const app = Fastify()
  await app.register(rampartRateLimit, { store })
  app.register(async (child) => {
    await child.register(rampartRateLimit, { store, perMinute: 5 })
  })
  await t.rejects(async () => app.ready(), { code: 'RAMPART_RATE_LIMIT_SCOPE_CONFLICT' })
})

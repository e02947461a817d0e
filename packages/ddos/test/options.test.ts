import { getHeapStatistics } from 'node:v8'
import Fastify from 'fastify'
import t from 'tap'
import rampartDdos, { DEFAULTS, resolveOptions } from '../src/index.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ maxInFlight: 0 }, /option "maxInFlight" must be >= 1 \(got 0\)/],
    [{ maxInFlight: true }, /option "maxInFlight" must be an integer/],
    [{ rate: {} }, /option "rate.max" must be an integer \(got undefined\)/],
    [{ rate: { max: 10, window: 5 } }, /option "rate.window" is not a known option/],
    [{ rate: { max: 10, windowMs: 0 } }, /option "rate.windowMs" must be >= 1/],
    [{ banMs: -1 }, /option "banMs" must be >= 1/],
    [{ surge: { intervalMs: 10 } }, /option "surge.threshold" must be an integer/],
    [{ shedding: { sampleIntervalMs: 1 } }, /option "shedding.sampleIntervalMs" must be >= 10/],
    [{ shedding: { hook: 'onSend' } }, /option "shedding.hook" must be one of "onRequest", "preParsing", "preHandler"/],
    [
      { shedding: { eventLoopDelay: { shed: 100, recover: 100 } } },
      /"shedding.eventLoopDelay.recover" must be lower than/,
    ],
    [
      { shedding: { eventLoopDelay: { shed: 100, shedAll: 50 } } },
      /"shedding.eventLoopDelay.shedAll" must be higher than/,
    ],
    [{ shedding: { eventLoopUtilization: { shed: 1.5 } } }, /"shedding.eventLoopUtilization.shed" must be <= 1/],
    [{ shedding: { heapUsed: { sheed: 1 } } }, /option "shedding.heapUsed.sheed" is not a known option/],
    [
      { shedding: { eventLoopDelay: false, eventLoopUtilization: false, heapUsed: false } },
      /option "shedding" ignores every signal/,
    ],
    [{ exemptPaths: ['health'] }, /option "exemptPaths\[0\]" must start with "\/"/],
    [{ ipv6PrefixLength: 16 }, /option "ipv6PrefixLength" must be >= 32/],
    [{ maxClients: 0 }, /option "maxClients" must be >= 1/],
    [{ redis: 'http://localhost' }, /option "redis.url" must match/],
    [{ redis: { url: 'redis://x', client: {} } }, /option "redis" takes `client` or `url`, not both/],
    [{ prefix: 'has space' }, /option "prefix" must match/],
    [{ now: 5 }, /option "now" must be a function/],
    [{ maxInFlights: 5 }, /option "maxInFlights" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartDdos, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_DDOS_INVALID_OPTION', message }, JSON.stringify(options))
  }
})

t.test('defaults: the seed numbers, on, bounded', async (t) => {
  const resolved = resolveOptions()
  t.equal(resolved.maxInFlight, 100)
  t.same(resolved.rate, { max: 1000, windowMs: 60_000 })
  t.equal(resolved.banMs, 300_000)
  t.same(resolved.surge, { threshold: 500, intervalMs: 300_000 })
  t.same(resolved.exemptPaths, ['/health'])
  t.equal(resolved.maxClients, 100_000)
  t.equal(resolved.redis, undefined)
  t.equal(resolved.shedding?.hook, 'preParsing')
  t.same(resolved.shedding?.eventLoopDelay, { shed: 500, shedAll: 2000, recover: 200 })
  const limit = getHeapStatistics().heap_size_limit
  t.equal(resolved.shedding?.heapUsed?.shed, Math.floor(limit * 0.9))
  t.ok(Object.isFrozen(resolved))
  t.equal(DEFAULTS.prefix, 'rampart:ddos:')
})

t.test('given `shed` alone, shedAll and recover keep their default proportions', async (t) => {
  const resolved = resolveOptions({ shedding: { eventLoopDelay: { shed: 1000 } } })
  t.same(resolved.shedding?.eventLoopDelay, { shed: 1000, shedAll: 4000, recover: 400 })
  const elu = resolveOptions({ shedding: { eventLoopUtilization: { shed: 0.9 } } })
  t.same(elu.shedding?.eventLoopUtilization, {
    shed: 0.9,
    shedAll: Number.POSITIVE_INFINITY,
    recover: 0.9 * (0.9 / 0.98),
  })
  const off = resolveOptions({ maxInFlight: false, rate: false, surge: false, shedding: false })
  t.equal(off.maxInFlight, 0)
  t.equal(off.rate, undefined)
  t.equal(off.surge, undefined)
  t.equal(off.shedding, undefined)
})

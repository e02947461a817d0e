import diagnosticsChannel from 'node:diagnostics_channel'
import { defineRefusal, sendProblem } from '@rampart/core'
import Fastify from 'fastify'
import { Counter, register as globalRegistry, Registry } from 'prom-client'
import t from 'tap'
import rampartMetrics, { SUBSCRIBED_CHANNELS } from '../src/index.js'
import { find, scrape, value } from './fixtures/exposition.js'

const REFUSED = defineRefusal('test', 'REFUSED', 403, 'Forbidden')

async function build(options = {}) {
  const app = Fastify()
  await app.register(rampartMetrics, options)
  app.get('/refuse', async (_request, reply) => sendProblem(reply, REFUSED))
  app.get('/ok', async () => 'ok')
  return app
}

const refusals = async (app: Awaited<ReturnType<typeof build>>) =>
  value((await scrape(app)).samples, 'rampart_refusals_total', { source: 'test' }) ?? 0

t.test('two apps in one process count only their own requests and events', async (t) => {
  const a = await build()
  const b = await build()
  t.teardown(() => Promise.all([a.close(), b.close()]))
  t.not(a.rampartMetrics.registry, b.rampartMetrics.registry, 'a registry per app')
  await a.inject('/refuse')
  await a.inject('/refuse')
  await b.inject('/refuse')
  await a.inject('/ok')
  t.equal(await refusals(a), 2)
  t.equal(await refusals(b), 1)
  t.equal(value((await scrape(a)).samples, 'http_requests_total', { route: '/ok' }), 1)
  t.equal(value((await scrape(b)).samples, 'http_requests_total', { route: '/ok' }), undefined)
})

t.test('registering a second app does not make the first count twice', async (t) => {
  const a = await build()
  t.teardown(() => a.close())
  const others = await Promise.all([build(), build(), build()])
  t.teardown(() => Promise.all(others.map((app) => app.close())))
  await a.inject('/refuse')
  t.equal(await refusals(a), 1)
})

t.test('close unsubscribes: a closed app counts nothing more and leaves no listener', async (t) => {
  const channel = diagnosticsChannel.channel(SUBSCRIBED_CHANNELS.refusal)
  const before = channel.hasSubscribers
  const app = await build()
  t.ok(channel.hasSubscribers)
  const survivor = await build()
  t.teardown(() => survivor.close())
  await app.close()
  await survivor.inject('/refuse')
  t.equal(await refusals(survivor), 1, 'the other app still counts')
  // a request-less event reaches every subscribed app: the closed one no longer is
  diagnosticsChannel.channel(SUBSCRIBED_CHANNELS.ddosShedding).publish({ active: true })
  const shedding = async (registry: Registry) =>
    (await registry.getSingleMetric('rampart_ddos_shedding')?.get())?.values[0]?.value
  t.equal(await shedding(app.rampartMetrics.registry), 0, 'the closed app heard nothing')
  t.equal(await shedding(survivor.rampartMetrics.registry), 1)
  await survivor.close()
  t.equal(channel.hasSubscribers, before, 'every listener removed')
  for (const name of Object.values(SUBSCRIBED_CHANNELS)) {
    t.equal(diagnosticsChannel.channel(name).hasSubscribers, false, `${name} has no listener left`)
  }
})

t.test('never touches the global registry', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  await app.inject('/ok')
  t.equal(globalRegistry.getSingleMetric('http_requests_total'), undefined)
  t.not(app.rampartMetrics.registry, globalRegistry)
})

t.test('a given registry is used, and left as it was on close', async (t) => {
  const registry = new Registry()
  const mine = new Counter({ name: 'my_own_total', help: 'mine', registers: [registry] })
  mine.inc()
  const first = await build({ registry })
  t.equal(first.rampartMetrics.registry, registry)
  await first.inject('/ok')
  t.match(await registry.metrics(), /http_requests_total\{method="GET",route="\/ok",status="200"\} 1/)
  t.match((await scrape(first)).text, /my_own_total 1/, 'the endpoint serves the whole registry')
  await first.close()
  t.same(
    registry.getMetricsAsArray().map((metric) => metric.name),
    ['my_own_total'],
  )
  const second = await build({ registry })
  t.teardown(() => second.close())
  t.same(find((await scrape(second)).samples, 'http_requests_total'), [], 'the next app starts from zero')
})

t.test('two live apps on one registry fail with a coded error naming the metric', async (t) => {
  const registry = new Registry()
  const first = await build({ registry })
  t.teardown(() => first.close())
  const app = Fastify()
  app.register(rampartMetrics, { registry })
  await t.rejects(async () => app.ready(), {
    code: 'RAMPART_METRICS_DUPLICATE_METRIC',
    message: /"http_requests_total"/,
  })
  const prefixed = await build({ registry, prefix: 'second_' })
  t.teardown(() => prefixed.close())
  t.ok(registry.getSingleMetric('second_http_requests_total'), 'a prefix keeps them apart')
})

t.test('registering twice on one instance is a coded error', async (t) => {
  const app = Fastify()
  app.register(rampartMetrics)
  app.register(rampartMetrics, { endpoint: false, registry: new Registry() })
  await t.rejects(async () => app.ready(), { code: 'RAMPART_METRICS_ALREADY_REGISTERED' })
})

t.test(
  'default metrics: off by default, on request with the prefix, removed from a given registry on close',
  async (t) => {
    const off = await build()
    t.teardown(() => off.close())
    t.notMatch((await scrape(off)).text, /process_cpu/)

    const registry = new Registry()
    const on = await build({ defaultMetrics: true, prefix: 'app_', registry })
    const { text } = await scrape(on)
    t.match(text, /^app_process_cpu_user_seconds_total \d/m)
    t.match(text, /^app_nodejs_eventloop_lag_seconds /m)
    t.match(text, /^# TYPE app_nodejs_active_handles gauge/m)
    t.notMatch(text, /nodejs_active_handles_total/, 'a gauge named like a counter: promtool rejects it')
    await on.close()
    t.same(registry.getMetricsAsArray(), [], 'nothing left behind')

    const again = await build({ defaultMetrics: true, registry })
    t.teardown(() => again.close())
    t.match((await scrape(again)).text, /^process_cpu_user_seconds_total /m, 'and a new app can collect them again')
  },
)

t.test('default metrics already on a given registry: a coded error, and the registry left as it was', async (t) => {
  const registry = new Registry()
  new Counter({ name: 'process_cpu_user_seconds_total', help: 'taken', registers: [registry] })
  const app = Fastify()
  app.register(rampartMetrics, { registry, defaultMetrics: true })
  await t.rejects(async () => app.ready(), {
    code: 'RAMPART_METRICS_DUPLICATE_METRIC',
    message: /"process_cpu_user_seconds_total"/,
  })
  t.same(
    registry.getMetricsAsArray().map((metric) => metric.name),
    ['process_cpu_user_seconds_total'],
  )
})

t.test('a register that fails leaves a given registry untouched', async (t) => {
  const registry = new Registry()
  const app = Fastify()
  app.get('/metrics', async () => 'mine')
  app.register(rampartMetrics, { registry })
  await t.rejects(async () => app.ready(), /already declared|duplicated|FST_ERR_DUPLICATED_ROUTE/i)
  t.same(registry.getMetricsAsArray(), [], 'nothing registered')
})

import Fastify from 'fastify'
import { Counter, type Registry } from 'prom-client'
import t from 'tap'
import rampartMetrics, { type MetricNames, type MetricsOptions, type RampartMetrics } from '../src/index.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const good: MetricsOptions = {
  endpoint: '/internal/metrics',
  protection: { bearerToken: 'a-long-enough-token', allowedIps: ['10.0.0.0/8', 'loopback'] },
  measureEndpoint: false,
  prefix: 'app_',
  defaultMetrics: true,
  buckets: [0.1, 1, 10],
  excludeRoutes: ['/health'],
  maxLabelSets: 100,
}
const off: MetricsOptions = { endpoint: false }
// @ts-expect-error the endpoint is a path or false, never true
const badEndpoint: MetricsOptions = { endpoint: true }
// @ts-expect-error allowedIps is a list
const badIps: MetricsOptions = { protection: { allowedIps: '10.0.0.0/8' } }
// @ts-expect-error a route opts out with a boolean
const badRoute = Fastify().get('/x', { config: { rampart: { metrics: 'off' } } }, async () => 'x')

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  await app.register(rampartMetrics, good)
  app.get('/skip', { config: { rampart: { metrics: false } } }, async () => 'skipped')
  const api: RampartMetrics = app.rampartMetrics
  const registry: Registry = api.registry
  const names: MetricNames = api.names
  const mine = new Counter({ name: 'app_orders_total', help: 'orders', registers: [registry] })
  mine.inc()
  t.match(
    (
      await app.inject({
        url: '/internal/metrics',
        headers: { authorization: 'Bearer a-long-enough-token' },
      })
    ).body,
    /app_orders_total 1/,
  )
  t.equal(names.requests, 'app_http_requests_total')
  t.ok(off && badEndpoint && badIps && badRoute, 'the wrong values exist only for the compiler')
  await app.close()
})

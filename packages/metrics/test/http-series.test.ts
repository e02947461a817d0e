import { defineRefusal, problemRepliesPlugin, sendProblem } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartMetrics, { type MetricsOptions } from '../src/index.js'
import { find, scrape, value } from './fixtures/exposition.js'

const TEAPOT = defineRefusal('test', 'TEAPOT', 418, "I'm a teapot")

async function build(options: MetricsOptions = {}) {
  const app = Fastify()
  await app.register(rampartMetrics, options)
  app.get('/api/users/:id', async () => ({ ok: true }))
  app.post('/api/users/:id', async () => ({ ok: true }))
  app.get('/boom', async () => {
    throw new Error('boom')
  })
  return app
}

t.test('counts responses by method, route pattern and status', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  for (const id of ['1', '2', '3']) await app.inject(`/api/users/${id}`)
  await app.inject({ method: 'POST', url: '/api/users/9' })
  await app.inject('/boom')
  const { samples } = await scrape(app)
  t.equal(value(samples, 'http_requests_total', { method: 'GET', route: '/api/users/:id', status: '200' }), 3)
  t.equal(value(samples, 'http_requests_total', { method: 'POST', route: '/api/users/:id', status: '200' }), 1)
  t.equal(value(samples, 'http_requests_total', { method: 'GET', route: '/boom', status: '500' }), 1)
  t.same(find(samples, 'http_requests_total', { route: '/api/users/1' }), [], 'never the raw path')
  t.equal(find(samples, 'http_requests_total').length, 3)
})

t.test('the histogram is cumulative, ends at +Inf, and its count matches the responses', async (t) => {
  const app = await build({ buckets: [0.05, 1] })
  t.teardown(() => app.close())
  for (let i = 0; i < 4; i++) await app.inject('/api/users/1')
  const { samples } = await scrape(app)
  const labels = { method: 'GET', route: '/api/users/:id' }
  const buckets = find(samples, 'http_request_duration_seconds_bucket', labels)
  t.same(
    buckets.map((sample) => sample.labels.le),
    ['0.05', '1', '+Inf'],
    'the configured bounds',
  )
  const counts = buckets.map((sample) => sample.value)
  t.ok(
    counts.every((count, i) => i === 0 || count >= (counts[i - 1] as number)),
    'cumulative',
  )
  t.equal(counts.at(-1), 4)
  t.equal(value(samples, 'http_request_duration_seconds_count', labels), 4)
  const sum = value(samples, 'http_request_duration_seconds_sum', labels) as number
  t.ok(sum > 0 && sum < 4 * 60, `a plausible sum of durations in seconds (${sum})`)
})

t.test('an observation lands in the first bucket whose bound is >= the duration (le semantics)', async (t) => {
  const app = Fastify()
  await app.register(rampartMetrics, { buckets: [0.001, 0.2, 5] })
  // the handler holds the reply at least 250 ms: the request is above 0.2 s on any machine
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 250))
    return 'late'
  })
  t.teardown(() => app.close())
  await app.inject('/slow')
  const { samples } = await scrape(app)
  const le = (bound: string) => value(samples, 'http_request_duration_seconds_bucket', { route: '/slow', le: bound })
  t.equal(le('0.001'), 0)
  t.equal(le('0.2'), 0)
  t.equal(le('+Inf'), 1)
  t.ok((value(samples, 'http_request_duration_seconds_sum', { route: '/slow' }) as number) >= 0.25)
})

t.test('routes under a prefix are labelled with the full pattern; HEAD is its own method', async (t) => {
  const app = await build()
  app.register(
    async (child) => {
      child.get('/items/:sku', async () => 'item')
    },
    { prefix: '/shop' },
  )
  t.teardown(() => app.close())
  await app.inject('/shop/items/abc')
  await app.inject({ method: 'HEAD', url: '/shop/items/abc' })
  const { samples } = await scrape(app)
  t.equal(value(samples, 'http_requests_total', { method: 'GET', route: '/shop/items/:sku', status: '200' }), 1)
  t.equal(value(samples, 'http_requests_total', { method: 'HEAD', route: '/shop/items/:sku', status: '200' }), 1)
})

t.test('routes that differ only by constraints share one series per method', async (t) => {
  const app = Fastify()
  await app.register(rampartMetrics)
  app.get('/v', { constraints: { version: '1.0.0' } }, async () => 'one')
  app.get('/v', { constraints: { version: '2.0.0' } }, async () => 'two')
  t.teardown(() => app.close())
  await app.inject({ url: '/v', headers: { 'accept-version': '1.x' } })
  await app.inject({ url: '/v', headers: { 'accept-version': '2.x' } })
  const { samples } = await scrape(app)
  t.equal(value(samples, 'http_requests_total', { method: 'GET', route: '/v', status: '200' }), 2)
  t.equal(value(samples, 'http_request_duration_seconds_count', { method: 'GET', route: '/v' }), 2)
})

t.test('404s share the route label "unmatched"; a 404 sent by a matched route keeps its pattern', async (t) => {
  const app = await build()
  app.get('/api/things/:id', async (_request, reply) => reply.code(404).send({ missing: true }))
  t.teardown(() => app.close())
  await app.inject('/nowhere')
  await app.inject({ method: 'DELETE', url: '/elsewhere/1' })
  await app.inject('/api/things/7')
  const { samples } = await scrape(app)
  t.equal(value(samples, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }), 1)
  t.equal(value(samples, 'http_requests_total', { method: 'DELETE', route: 'unmatched', status: '404' }), 1)
  t.equal(value(samples, 'http_requests_total', { route: '/api/things/:id', status: '404' }), 1)
})

t.test('requests refused by a plugin registered before metrics are still counted and timed', async (t) => {
  const app = Fastify()
  await app.register(problemRepliesPlugin)
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers['x-teapot'] !== undefined) return sendProblem(reply, TEAPOT)
  })
  await app.register(rampartMetrics)
  app.get('/tea', async () => 'tea')
  t.teardown(() => app.close())
  t.equal((await app.inject({ url: '/tea', headers: { 'x-teapot': '1' } })).statusCode, 418)
  const { samples } = await scrape(app)
  t.equal(value(samples, 'http_requests_total', { route: '/tea', status: '418' }), 1)
  t.equal(value(samples, 'http_request_duration_seconds_count', { route: '/tea' }), 1)
  t.equal(value(samples, 'http_requests_in_flight'), 0, 'never counted in flight, never decremented below 0')
})

t.test('the endpoint is left out of the series by default; measureEndpoint counts it', async (t) => {
  const quiet = await build()
  t.teardown(() => quiet.close())
  await scrape(quiet)
  t.same(find((await scrape(quiet)).samples, 'http_requests_total', { route: '/metrics' }), [])

  const measured = await build({ measureEndpoint: true })
  t.teardown(() => measured.close())
  await scrape(measured)
  t.equal(value((await scrape(measured)).samples, 'http_requests_total', { route: '/metrics', status: '200' }), 1)
})

t.test('excludeRoutes and config.rampart.metrics = false leave routes out', async (t) => {
  const app = await build({ excludeRoutes: ['/health'] })
  app.get('/health', async () => 'ok')
  app.get('/internal', { config: { rampart: { metrics: false } } }, async () => 'ok')
  app.get('/counted', { config: { rampart: { metrics: true } } }, async () => 'ok')
  t.teardown(() => app.close())
  for (const url of ['/health', '/internal', '/counted']) await app.inject(url)
  const { samples } = await scrape(app)
  t.same(find(samples, 'http_requests_total', { route: '/health' }), [])
  t.same(find(samples, 'http_requests_total', { route: '/internal' }), [])
  t.equal(value(samples, 'http_requests_total', { route: '/counted' }), 1)
})

t.test('prefix names every metric', async (t) => {
  const app = await build({ prefix: 'shop_' })
  t.teardown(() => app.close())
  await app.inject('/api/users/1')
  const { samples, text } = await scrape(app)
  t.equal(value(samples, 'shop_http_requests_total', { route: '/api/users/:id' }), 1)
  t.notMatch(text, /^# TYPE (?!shop_)/m, 'no metric without the prefix')
  t.equal(app.rampartMetrics.names.refusals, 'shop_rampart_refusals_total')
})

t.test('registry.resetMetrics() zeroes the HTTP series', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  await app.inject('/api/users/1')
  app.rampartMetrics.registry.resetMetrics()
  const { samples } = await scrape(app)
  t.same(find(samples, 'http_requests_total'), [])
  await app.inject('/api/users/1')
  t.equal(value((await scrape(app)).samples, 'http_requests_total', { route: '/api/users/:id' }), 1)
})

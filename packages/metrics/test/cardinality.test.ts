import diagnosticsChannel from 'node:diagnostics_channel'
import Fastify from 'fastify'
import t from 'tap'
import rampartMetrics, { OVERFLOW_LABEL, SUBSCRIBED_CHANNELS } from '../src/index.js'
import { find, scrape, value } from './fixtures/exposition.js'

// The seed labels by raw path: every distinct 404 (a scanner walking /wp-admin, /.env, ...) and every
// id it does not know the pattern of becomes a new series, until Prometheus falls over.

t.test('10,000 distinct 404 paths and 10,000 ids add no series', async (t) => {
  const app = Fastify()
  await app.register(rampartMetrics)
  app.get('/api/users/:id', async () => ({ ok: true }))
  t.teardown(() => app.close())
  await app.inject('/api/users/0')
  await app.inject('/probe/0')
  const before = (await scrape(app)).samples.length

  for (let i = 1; i <= 10_000; i++) {
    await app.inject(`/probe/${i}/${Math.random().toString(36).slice(2)}`)
    await app.inject(`/api/users/${i}`)
  }
  const { samples, text } = await scrape(app)
  t.equal(samples.length, before, 'the same number of samples as after the first request of each')
  t.equal(value(samples, 'http_requests_total', { route: 'unmatched', status: '404' }), 10_001)
  t.equal(value(samples, 'http_requests_total', { route: '/api/users/:id', status: '200' }), 10_001)
  t.equal(find(samples, 'http_requests_total').length, 2)
  t.notMatch(text, /probe/, 'no path appears anywhere')
})

t.test('an event metric holds at most maxLabelSets label sets, then counts under "other"', async (t) => {
  const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => warnings.push(line) } } })
  const warnings: string[] = []
  await app.register(rampartMetrics, { maxLabelSets: 5 })
  app.get('/publish/:code', async (request) => {
    // a publisher putting unbounded values in its messages
    diagnosticsChannel.channel(SUBSCRIBED_CHANNELS.refusal).publish({
      request,
      source: 'noisy',
      code: (request.params as { code: string }).code,
      status: 400,
    })
    return 'ok'
  })
  t.teardown(() => app.close())
  for (let i = 0; i < 50; i++) await app.inject(`/publish/CODE_${i}`)
  const { samples } = await scrape(app)
  const refusals = find(samples, 'rampart_refusals_total')
  t.equal(refusals.length, 6, 'five label sets and the overflow one')
  t.equal(
    value(samples, 'rampart_refusals_total', { source: OVERFLOW_LABEL, code: OVERFLOW_LABEL, status: OVERFLOW_LABEL }),
    45,
  )
  t.equal(
    refusals.reduce((total, sample) => total + sample.value, 0),
    50,
    'nothing lost',
  )
  t.equal(warnings.filter((line) => line.includes('maxLabelSets')).length, 1, 'warned once')
})

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import t from 'tap'
import rampartMetrics from '../src/index.js'
import { scrape, value } from './fixtures/exposition.js'

/** A promise and its resolver: the test decides when a handler answers. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {}
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

/** Polls `check` until it is true (bounded: 5 s), so the test waits on a state, not a duration. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in 5 s')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('in-flight counts requests being handled, not the scrape itself', async (t) => {
  const app = Fastify()
  await app.register(rampartMetrics)
  const held = gate()
  let arrived = 0
  app.get('/held', async () => {
    arrived++
    await held.promise
    return 'done'
  })
  t.teardown(() => app.close())
  const pending = [app.inject('/held'), app.inject('/held'), app.inject('/held')]
  await until(async () => arrived === 3)
  t.equal(value((await scrape(app)).samples, 'http_requests_in_flight'), 3)
  held.open()
  await Promise.all(pending)
  const { samples } = await scrape(app)
  t.equal(value(samples, 'http_requests_in_flight'), 0)
  t.equal(value(samples, 'http_requests_total', { route: '/held', status: '200' }), 3)
})

t.test('a request the client aborts leaves flight and is counted once as 499, without a duration', async (t) => {
  const app = Fastify()
  await app.register(rampartMetrics)
  const held = gate()
  let arrived = false
  let sent = false
  app.get('/held', async (_request, reply) => {
    arrived = true
    await held.promise
    await reply.send('too late')
    sent = true
    return reply
  })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo

  const request = http.get({ host: '127.0.0.1', port, path: '/held' })
  request.on('error', () => {})
  await until(async () => arrived)
  t.equal(value((await scrape(app)).samples, 'http_requests_in_flight'), 1)
  request.destroy()
  await until(async () => value((await scrape(app)).samples, 'http_requests_in_flight') === 0)
  held.open()
  // the handler answers into the closed socket: nothing more is recorded
  await until(async () => sent)
  await new Promise((resolve) => setImmediate(resolve))
  const { samples } = await scrape(app)
  t.equal(value(samples, 'http_requests_total', { route: '/held', status: '499' }), 1)
  t.equal(value(samples, 'http_requests_total', { route: '/held', status: '200' }), undefined)
  t.equal(value(samples, 'http_request_duration_seconds_count', { route: '/held' }), undefined)
  t.equal(value(samples, 'http_requests_in_flight'), 0)
})

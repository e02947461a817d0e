import t from 'tap'
import { type SinkFailedEvent, sinkFailedChannel } from '../src/index.js'
import { build, hit } from './fixtures/app.js'
import { answer, webhookServer } from './fixtures/webhook-server.js'

const rules = { defaultRules: false, rules: { 'rate-limit': { threshold: 1, cooldownMs: 0 } } }

function failures(t: { teardown(fn: () => void): void }): SinkFailedEvent[] {
  const events: SinkFailedEvent[] = []
  t.teardown(sinkFailedChannel.subscribe((event) => events.push(event)))
  return events
}

t.test('POSTs a Slack-compatible message with the configured headers', async (t) => {
  const server = await webhookServer((_request, response) => answer(response, 200))
  t.teardown(server.close)
  const app = await build({
    ...rules,
    webhook: { url: server.url, headers: { 'X-Token': 'webhook-credential' } },
  })
  t.teardown(() => app.close())
  await hit(app, '/refuse/rate-limit')
  await app.rampartAlerts.flush()
  t.equal(server.requests.length, 1)
  const [received] = server.requests
  t.match(received, {
    method: 'POST',
    path: '/services/T000/B000/secret-path-token',
    headers: { 'content-type': 'application/json', 'x-token': 'webhook-credential' },
  })
  const body = received!.body as { text: string; blocks: { type: string }[] }
  t.equal(body.text, ':warning: [WARNING] Rate-limit refusals')
  t.same(
    body.blocks.map((block) => block.type),
    ['section', 'section', 'context'],
  )
  t.match(JSON.stringify(body.blocks), /`\/refuse\/:kind`/)
  t.match(JSON.stringify(body.blocks), /RAMPART_RATE_LIMIT_EXCEEDED/)
  t.match(app.rampartAlerts.stats().sinks.webhook, { delivered: 1, failed: 0, retries: 0, pending: 0 })
})

t.test('a plain URL string is enough; `format` builds your own body', async (t) => {
  const server = await webhookServer((_request, response) => answer(response, 204))
  t.teardown(server.close)
  const app = await build({ ...rules, webhook: { url: server.url, format: (alert) => ({ event: alert.type }) } })
  t.teardown(() => app.close())
  await hit(app, '/refuse/rate-limit')
  await app.rampartAlerts.flush()
  t.same(server.requests[0]!.body, { event: 'rate-limit' })

  const plain = await build({ ...rules, webhook: server.url })
  t.teardown(() => plain.close())
  await hit(plain, '/refuse/rate-limit')
  await plain.rampartAlerts.flush()
  t.match(server.requests[1]!.body, { text: /Rate-limit refusals/ })
})

t.test('retries a failing webhook with exponential backoff, then succeeds', async (t) => {
  const server = await webhookServer((_request, response, index) => answer(response, index < 2 ? 503 : 200))
  t.teardown(server.close)
  const events = failures(t)
  const app = await build({ ...rules, webhook: { url: server.url, retries: 3, backoffMs: 60 } })
  t.teardown(() => app.close())
  await hit(app, '/refuse/rate-limit')
  await app.rampartAlerts.flush()
  t.equal(server.requests.length, 3, 'two failures, then a success')
  const [first, second, third] = server.requests.map((request) => request.at)
  // Jitter keeps each delay within 50-100 % of backoffMs * 2^retry: at least 30 ms, then 60 ms.
  t.ok(second! - first! >= 29, `first retry after ${second! - first!} ms`)
  t.ok(third! - second! >= 59, `second retry after ${third! - second!} ms`)
  t.same(server.requests[0]!.body, server.requests[2]!.body, 'the same body each time')
  t.equal(events.length, 0, 'a delivery that succeeded is no failure')
  t.match(app.rampartAlerts.stats().sinks.webhook, { delivered: 1, failed: 0, retries: 2 })
})

t.test('gives up after `retries` and reports a coded error naming the origin only', async (t) => {
  const server = await webhookServer((_request, response) => answer(response, 500))
  t.teardown(server.close)
  const events = failures(t)
  const app = await build({ ...rules, webhook: { url: server.url, retries: 2, backoffMs: 1 } })
  t.teardown(() => app.close())
  await hit(app, '/refuse/rate-limit')
  await app.rampartAlerts.flush()
  t.equal(server.requests.length, 3)
  t.equal(events.length, 1)
  t.match(events[0], {
    sink: 'webhook',
    error: { code: 'RAMPART_ALERTS_WEBHOOK_FAILED', message: `webhook ${server.origin}: answered 500 (3 attempts)` },
  })
  t.notMatch(String((events[0]!.error as Error).message), /secret-path-token/)
  t.match(app.rampartAlerts.stats().sinks.webhook, { delivered: 0, failed: 1, retries: 2 })
})

t.test('a 4xx other than 408/425/429, or a redirect, is not retried', async (t) => {
  for (const status of [400, 404, 302]) {
    const server = await webhookServer((_request, response) =>
      answer(response, status, status === 302 ? { location: 'http://127.0.0.1:1/elsewhere' } : {}),
    )
    const events = failures(t)
    const app = await build({ ...rules, webhook: { url: server.url, retries: 3, backoffMs: 1 } })
    await hit(app, '/refuse/rate-limit')
    await app.rampartAlerts.flush()
    t.equal(server.requests.length, 1, `${status}: one attempt`)
    t.match(events, [{ error: { message: new RegExp(`answered ${status} \\(1 attempt\\)`) } }])
    await app.close()
    await server.close()
  }
})

t.test('Retry-After of a 429 lengthens the delay (capped by maxBackoffMs)', async (t) => {
  const server = await webhookServer((_request, response, index) =>
    answer(response, index === 0 ? 429 : 200, { 'retry-after': '30' }),
  )
  t.teardown(server.close)
  const app = await build({ ...rules, webhook: { url: server.url, backoffMs: 1, maxBackoffMs: 150 } })
  t.teardown(() => app.close())
  await hit(app, '/refuse/rate-limit')
  await app.rampartAlerts.flush()
  t.equal(server.requests.length, 2)
  const gap = server.requests[1]!.at - server.requests[0]!.at
  t.ok(gap >= 149, `waited ${gap} ms, not the 1 ms backoff, nor 30 s`)
})

t.test('a webhook that hangs times out; the request that fired the alert never waits for it', async (t) => {
  const server = await webhookServer(() => {}) // never answers
  t.teardown(server.close)
  const events = failures(t)
  const app = await build({ ...rules, webhook: { url: server.url, timeoutMs: 150, retries: 1, backoffMs: 1 } })
  t.teardown(() => app.close())
  const response = await app.inject('/refuse/rate-limit')
  t.equal(response.statusCode, 429, 'answered')
  t.equal(app.rampartAlerts.stats().sinks.webhook!.pending, 1, 'while the alert is still undelivered')
  t.equal((await app.inject('/ok')).statusCode, 200)
  await app.rampartAlerts.flush()
  t.equal(server.requests.length, 2, 'the timed-out attempt was retried')
  t.match(events, [
    {
      sink: 'webhook',
      error: { code: 'RAMPART_ALERTS_WEBHOOK_FAILED', message: /no answer within 150 ms \(2 attempts\)/ },
    },
  ])
})

t.test('an unreachable webhook is a failure, not an exception', async (t) => {
  const server = await webhookServer(() => {})
  await server.close() // nothing listens on the port any more
  const events = failures(t)
  const app = await build({ ...rules, webhook: { url: server.url, retries: 1, backoffMs: 1 } })
  t.teardown(() => app.close())
  t.equal((await app.inject('/refuse/rate-limit')).statusCode, 429)
  await app.rampartAlerts.flush()
  t.match(events, [{ error: { message: /request failed: ECONNREFUSED \(2 attempts\)/ } }])
})

t.test('the queue is bounded: alerts past queueSize are dropped and counted', async (t) => {
  const server = await webhookServer(() => {})
  t.teardown(server.close)
  const events = failures(t)
  const app = await build({
    ...rules,
    closeTimeoutMs: 100,
    webhook: { url: server.url, queueSize: 2, timeoutMs: 10_000 },
  })
  for (let i = 0; i < 5; i++) t.equal((await app.inject('/refuse/rate-limit')).statusCode, 429)
  t.match(app.rampartAlerts.stats().sinks.webhook, { dropped: 3, pending: 2 })
  t.equal(events.length, 3)
  t.match(events[0], { sink: 'webhook', error: { code: 'RAMPART_ALERTS_QUEUE_FULL' } })

  // Close waits closeTimeoutMs at most, then aborts the hanging request and abandons the rest.
  const started = Date.now()
  await app.close()
  t.ok(Date.now() - started < 5000, 'close is bounded')
  t.match(app.rampartAlerts.stats().sinks.webhook, { dropped: 3, abandoned: 2, pending: 0, failed: 0 })
  t.same(
    events.slice(3).map((event) => (event.error as { code: string }).code),
    ['RAMPART_ALERTS_ABANDONED', 'RAMPART_ALERTS_ABANDONED'],
  )
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.ok(server.requests.length <= 1, 'the waiting alert was never sent')
})

t.test('close waits for a delivery in progress', async (t) => {
  const server = await webhookServer((_request, response) => setTimeout(() => answer(response, 200), 50))
  t.teardown(server.close)
  const app = await build({ ...rules, webhook: { url: server.url } })
  await hit(app, '/refuse/rate-limit')
  await app.close()
  t.equal(server.requests.length, 1)
  t.match(app.rampartAlerts.stats().sinks.webhook, { delivered: 1, abandoned: 0 })
})

t.test('a format function that throws is a failure of that alert only', async (t) => {
  const server = await webhookServer((_request, response) => answer(response, 200))
  t.teardown(server.close)
  const events = failures(t)
  let first = true
  const app = await build({
    ...rules,
    webhook: {
      url: server.url,
      format: (alert) => {
        if (first) {
          first = false
          throw new Error('cannot format')
        }
        return { type: alert.type }
      },
    },
  })
  t.teardown(() => app.close())
  await hit(app, '/refuse/rate-limit', 2)
  await app.rampartAlerts.flush()
  t.match(events, [{ sink: 'webhook', error: { message: 'cannot format' } }])
  t.equal(server.requests.length, 1)
  t.match(app.rampartAlerts.stats().sinks.webhook, { delivered: 1, failed: 1 })
})

import t from 'tap'
import { type Alert, type SinkFailedEvent, sinkFailedChannel } from '../src/index.js'
import { build, hit, logCapture } from './fixtures/app.js'

const rules = { defaultRules: false, rules: { 'rate-limit': { threshold: 1, cooldownMs: 0 } } }

function failures(t: { teardown(fn: () => void): void }): SinkFailedEvent[] {
  const events: SinkFailedEvent[] = []
  t.teardown(sinkFailedChannel.subscribe((event) => events.push(event)))
  return events
}

t.test('onAlert gets every alert, after the request that raised it was answered', async (t) => {
  const received: Alert[] = []
  let answered = false
  const app = await build({
    ...rules,
    onAlert: (alert) => {
      t.ok(answered, 'not called inside the request')
      received.push(alert)
    },
  })
  t.teardown(() => app.close())
  const response = await app.inject('/refuse/rate-limit')
  answered = true
  t.equal(response.statusCode, 429)
  await app.rampartAlerts.flush()
  t.match(received, [{ type: 'rate-limit', count: 1 }])
  t.match(app.rampartAlerts.stats().sinks.custom, { delivered: 1, failed: 0, pending: 0 })
})

t.test('an onAlert that throws never affects requests; it is logged once and reported each time', async (t) => {
  const { lines, stream } = logCapture()
  const events = failures(t)
  let calls = 0
  const app = await build(
    {
      ...rules,
      onAlert: () => {
        calls++
        throw new Error('sink exploded')
      },
    },
    { logger: { level: 'info', stream } },
  )
  t.teardown(() => app.close())
  for (let i = 0; i < 3; i++) {
    const response = await app.inject('/refuse/rate-limit')
    t.equal(response.statusCode, 429)
    t.equal(response.json().code, 'RAMPART_RATE_LIMIT_EXCEEDED')
  }
  t.equal((await app.inject('/ok')).statusCode, 200)
  await app.rampartAlerts.flush()
  t.equal(calls, 3)
  t.equal(events.length, 3, 'each failure on rampart:alerts:sink-failed')
  t.match(events[0], { sink: 'custom', error: { message: 'sink exploded' }, alert: { type: 'rate-limit' } })
  const logged = lines.filter((line) => line.sink === 'custom')
  t.equal(logged.length, 1, 'logged once')
  t.match(logged[0], { level: 50, err: { message: 'sink exploded' }, alert: 'rate-limit' })
  t.match(app.rampartAlerts.stats().sinks.custom, { delivered: 0, failed: 3 })
})

t.test('an async onAlert that rejects is caught; a later success is logged as recovery', async (t) => {
  const { lines, stream } = logCapture()
  const events = failures(t)
  let fail = true
  const app = await build(
    {
      ...rules,
      onAlert: async () => {
        await new Promise((resolve) => setImmediate(resolve))
        if (fail) throw new Error('rejected')
      },
    },
    { logger: { level: 'info', stream } },
  )
  t.teardown(() => app.close())
  await hit(app, '/refuse/rate-limit', 2)
  await app.rampartAlerts.flush()
  t.equal(events.length, 2)
  fail = false
  await hit(app, '/refuse/rate-limit')
  await app.rampartAlerts.flush()
  t.same(
    lines.filter((line) => line.sink === 'custom').map((line) => line.level),
    [50, 30],
    'one error line for the streak, one info line when it delivers again',
  )
  t.match(app.rampartAlerts.stats().sinks.custom, { delivered: 1, failed: 2 })
})

t.test('close waits for a slow onAlert at most closeTimeoutMs, then abandons it', async (t) => {
  const events = failures(t)
  const app = await build({
    ...rules,
    closeTimeoutMs: 50,
    onAlert: () => new Promise(() => {}), // never settles
  })
  await hit(app, '/refuse/rate-limit')
  await new Promise((resolve) => setImmediate(resolve))
  const started = Date.now()
  await app.close()
  t.ok(Date.now() - started < 5000, 'close did not wait for the hanging sink')
  t.match(events, [{ sink: 'custom', error: { code: 'RAMPART_ALERTS_ABANDONED' } }])
  t.match(app.rampartAlerts.stats().sinks.custom, { abandoned: 1, pending: 0 })
})

t.test('close lets a quick onAlert finish', async (t) => {
  const received: string[] = []
  const app = await build({
    ...rules,
    onAlert: async (alert) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      received.push(alert.type)
    },
  })
  await hit(app, '/refuse/rate-limit')
  await app.close()
  t.same(received, ['rate-limit'])
})

t.test('calls still running are bounded: past 1000, alerts are dropped and counted', async (t) => {
  const events = failures(t)
  let calls = 0
  const app = await build({
    ...rules,
    closeTimeoutMs: 0,
    onAlert: () => {
      calls++
      return new Promise(() => {})
    },
  })
  for (let i = 0; i < 1003; i++) await hit(app, '/refuse/rate-limit')
  await new Promise((resolve) => setImmediate(resolve))
  t.match(app.rampartAlerts.stats().sinks.custom, { pending: 1000, dropped: 3 })
  t.match(events, [
    { error: { code: 'RAMPART_ALERTS_QUEUE_FULL', message: 'onAlert: queue full (1000 alerts); alert dropped' } },
    {},
    {},
  ])
  await app.close()
  t.equal(calls, 1000)
  t.match(app.rampartAlerts.stats().sinks.custom, { pending: 0, abandoned: 1000 })
})

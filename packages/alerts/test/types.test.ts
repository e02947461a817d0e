import Fastify from 'fastify'
import t from 'tap'
import rampartAlerts, { type Alert, type AlertsOptions, type AlertsStats, type SinkFailedEvent } from '../src/index.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const good: AlertsOptions = {
  windowMs: 60_000,
  rules: {
    'rate-limit': { threshold: 200 },
    attacks: false,
    csrf: { channel: 'rampart:csrf:rejected', match: (message) => message.reason === 'token', severity: 'warning' },
  },
  webhook: { url: 'https://hooks.slack.com/services/T/B/X', retries: 5, headers: { 'x-source': 'api' } },
  onAlert: async (alert: Alert) => {
    alert.sample.ip?.toUpperCase()
  },
}
// @ts-expect-error severities are critical, error, warning, info
const badSeverity: AlertsOptions = { rules: { x: { channel: 'a', severity: 'fatal' } } }
// @ts-expect-error a webhook needs a URL
const badWebhook: AlertsOptions = { webhook: { retries: 1 } }
const failedSink = (event: SinkFailedEvent): 'log' | 'webhook' | 'custom' => event.sink

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  await app.register(rampartAlerts, { ...good, webhook: false, log: false })
  const stats: AlertsStats = app.rampartAlerts.stats()
  t.same(Object.keys(stats.rules), [
    'rate-limit',
    'auth-failures',
    'large-payloads',
    'ddos-bans',
    'circuit-open',
    'store-down',
    'load-shedding',
    'csrf',
  ])
  t.same(stats.sinks, { custom: { delivered: 0, failed: 0, dropped: 0, abandoned: 0, pending: 0, retries: 0 } })
  await app.close()
  t.ok(badSeverity && badWebhook && failedSink)
})

import diagnosticsChannel from 'node:diagnostics_channel'
import t from 'tap'
import { LOG_LEVELS } from '../src/index.js'
import { build, hit, logCapture } from './fixtures/app.js'

const PINO = { fatal: 60, error: 50, warn: 40, info: 30 }

t.test('severity picks the pino level: critical → fatal, error → error, warning → warn, info → info', async (t) => {
  t.same(LOG_LEVELS, { critical: 'fatal', error: 'error', warning: 'warn', info: 'info' })
  const { lines, stream } = logCapture()
  const app = await build(
    {
      log: true,
      defaultRules: false,
      rules: {
        critical: { channel: 'test:alerts:log', match: (m) => m.severity === 'critical', severity: 'critical' },
        error: { channel: 'test:alerts:log', match: (m) => m.severity === 'error', severity: 'error' },
        warning: { channel: 'test:alerts:log', match: (m) => m.severity === 'warning', severity: 'warning' },
        info: { channel: 'test:alerts:log', match: (m) => m.severity === 'info', severity: 'info' },
      },
    },
    { logger: { level: 'info', stream } },
  )
  t.teardown(() => app.close())
  const channel = diagnosticsChannel.channel('test:alerts:log')
  for (const severity of ['critical', 'error', 'warning', 'info']) channel.publish({ severity, code: severity })
  const alerts = lines.filter((line) => line.alert !== undefined)
  t.same(
    alerts.map((line) => [(line.alert as { type: string }).type, line.level]),
    [
      ['critical', PINO.fatal],
      ['error', PINO.error],
      ['warning', PINO.warn],
      ['info', PINO.info],
    ],
  )
  t.match(alerts[0], { msg: 'security alert: critical', alert: { type: 'critical', sample: { code: 'critical' } } })
  t.same(app.rampartAlerts.stats().sinks.log, {
    delivered: 4,
    failed: 0,
    dropped: 0,
    abandoned: 0,
    pending: 0,
    retries: 0,
  })
})

t.test('the log line summarises a threshold alert', async (t) => {
  const { lines, stream } = logCapture()
  const app = await build(
    { log: true, defaultRules: false, rules: { 'rate-limit': { threshold: 3 } } },
    { logger: { level: 'warn', stream } },
  )
  t.teardown(() => app.close())
  await hit(app, '/refuse/rate-limit', 3)
  const line = lines.find((entry) => entry.alert !== undefined)
  t.match(line, {
    level: PINO.warn,
    msg: 'security alert: Rate-limit refusals: 3 events in 5 min (threshold 3)',
    alert: { type: 'rate-limit', count: 3, sample: { route: '/refuse/:kind', code: 'RAMPART_RATE_LIMIT_EXCEEDED' } },
  })
  t.notMatch(JSON.stringify(line), /authorization|cookie/i)
})

t.test('log: false logs nothing', async (t) => {
  const { lines, stream } = logCapture()
  const app = await build(
    { log: false, defaultRules: false, rules: { 'rate-limit': { threshold: 1 } } },
    { logger: { level: 'info', stream } },
  )
  t.teardown(() => app.close())
  await hit(app, '/refuse/rate-limit')
  t.equal(lines.filter((line) => line.alert !== undefined).length, 0)
  t.notOk('log' in app.rampartAlerts.stats().sinks)
})

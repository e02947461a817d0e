import diagnosticsChannel from 'node:diagnostics_channel'
import t from 'tap'
import { DEFAULT_RULES, DEFAULTS } from '../src/index.js'
import { build, Clock, firedAlerts, hit, logCapture } from './fixtures/app.js'

t.test('the default table: the seed thresholds per 5 minutes, and first-event alerts', async (t) => {
  const table = Object.fromEntries(
    Object.entries(DEFAULT_RULES).map(([type, rule]) => [type, [rule.channel, rule.threshold, rule.severity]]),
  )
  t.same(table, {
    'rate-limit': ['rampart:core:refusal', 100, 'warning'],
    'auth-failures': ['rampart:core:refusal', 50, 'error'],
    'large-payloads': ['rampart:core:refusal', 10, 'warning'],
    attacks: ['rampart:shield:detected', 10, 'error'],
    'ddos-bans': ['rampart:ddos:banned', 1, 'error'],
    'circuit-open': ['rampart:circuit-breaker:state', 1, 'error'],
    'store-down': ['rampart:rate-limit:store-state', 1, 'critical'],
    'load-shedding': ['rampart:ddos:shedding', 1, 'critical'],
  })
  t.equal(DEFAULTS.windowMs, 300_000)
  t.equal(DEFAULTS.cooldownMs, 300_000)
})

t.test('100 rate-limit refusals within 5 minutes fire; 99 do not', async (t) => {
  const clock = new Clock()
  const app = await build({ now: clock.now })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  for (let i = 0; i < 99; i++) {
    await hit(app, i % 2 === 0 ? '/refuse/rate-limit' : '/refuse/banned')
    clock.advance(3000) // 99 events over 297 s
  }
  t.equal(alerts.length, 0)
  await hit(app, '/refuse/rate-limit')
  t.equal(alerts.length, 1)
  t.match(alerts[0], { type: 'rate-limit', count: 100, windowMs: 300_000, severity: 'warning' })
})

t.test('50 authentication failures (401 from any package) fire; 403s are not authentication failures', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/forbidden', 60)
  await hit(app, '/refuse/auth', 25)
  await hit(app, '/refuse/jwt', 24)
  t.equal(alerts.length, 0)
  await hit(app, '/refuse/jwt')
  t.match(alerts, [{ type: 'auth-failures', count: 50, severity: 'error', sample: { code: 'RAMPART_JWT_INVALID' } }])
})

t.test('10 oversized payloads (content-guard 413) fire', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/too-large', 9)
  t.equal(alerts.length, 0)
  await hit(app, '/refuse/too-large')
  t.match(alerts, [{ type: 'large-payloads', count: 10, sample: { code: 'RAMPART_CONTENT_GUARD_TOO_LARGE' } }])
})

t.test('a circuit opening, the store going down and shedding starting alert at once', async (t) => {
  const clock = new Clock()
  const app = await build({ now: clock.now })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  const publish = (name: string, message: object) => diagnosticsChannel.channel(name).publish(message)

  publish('rampart:circuit-breaker:state', { route: '/api/payments', from: 'closed', to: 'half-open' })
  publish('rampart:circuit-breaker:state', { route: '/api/payments', from: 'half-open', to: 'closed' })
  publish('rampart:rate-limit:store-state', { store: 'redis', state: 'closed', previous: 'open', reason: 'ok' })
  publish('rampart:ddos:shedding', { active: false })
  t.equal(alerts.length, 0, 'other transitions are not alerts')

  publish('rampart:circuit-breaker:state', {
    route: 'POST /api/payments',
    from: 'closed',
    to: 'open',
    reason: 'failure-rate',
  })
  publish('rampart:rate-limit:store-state', {
    store: 'redis',
    state: 'open',
    previous: 'closed',
    reason: 'connect ECONNREFUSED redis://default:hunter2@10.0.0.5:6379',
    failures: 5,
  })
  publish('rampart:ddos:shedding', { active: true, level: 1, reason: 'event-loop-delay', eventLoopDelayMs: 250 })
  t.match(alerts, [
    {
      type: 'circuit-open',
      severity: 'error',
      count: 1,
      sample: { route: 'POST /api/payments', code: 'closed->open: failure-rate' },
    },
    { type: 'store-down', severity: 'critical', sample: { ip: null, route: null } },
    { type: 'load-shedding', severity: 'critical', sample: { code: 'level 1: event-loop-delay' } },
  ])
  t.equal(alerts[1]!.sample.code, 'redis: connect ECONNREFUSED redis://***@10.0.0.5:6379', 'no credentials')

  publish('rampart:circuit-breaker:state', { route: '/api/other', from: 'closed', to: 'open' })
  t.equal(alerts.length, 3, 'one cooldown per type')
  clock.advance(300_000)
  publish('rampart:circuit-breaker:state', { route: '/api/other', from: 'closed', to: 'open' })
  t.equal(alerts.length, 4, 'and again after it')
})

t.test('shield detections and DDoS bans', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  const detected = diagnosticsChannel.channel('rampart:shield:detected')
  for (let i = 0; i < 10; i++) {
    detected.publish({ rule: 'sql-union', type: 'sql-injection', severity: 'high', mode: 'block' })
  }
  const banned = diagnosticsChannel.channel('rampart:ddos:banned')
  banned.publish({ request: null, client: '198.51.100.1', until: Date.now() + 600_000, reason: 'manual' })
  t.equal(alerts.length, 1, 'an operator ban is no attack')
  banned.publish({ request: null, client: '2001:db8:1:2::/64', until: Date.now() + 600_000, reason: 'rate' })
  t.match(alerts, [
    { type: 'attacks', count: 10, sample: { code: 'sql-injection:sql-union' } },
    { type: 'ddos-bans', count: 1, sample: { ip: '2001:db8:1:2::/64', code: 'banned: rate' } },
  ])
})

t.test('messages of any shape are read defensively', async (t) => {
  const app = await build({ defaultRules: false, rules: { any: { channel: 'test:alerts:shapes', threshold: 4 } } })
  const alerts = firedAlerts(t)
  const channel = diagnosticsChannel.channel('test:alerts:shapes')
  for (const message of [null, 42, 'text', undefined]) channel.publish(message)
  t.equal(alerts.length, 0, 'non-objects are ignored')
  channel.publish({ request: { not: 'a fastify request' } })
  t.equal(app.rampartAlerts.stats().rules.any!.inWindow, 0, 'a `request` that is not a Fastify request: not ours')
  for (const message of [{}, { code: 42, ip: {}, route: [] }, { code: 'x'.repeat(1000) }, { ip: '192.0.2.1' }]) {
    channel.publish(message)
  }
  t.equal(alerts.length, 1)
  t.same(alerts[0]!.sample, { ip: '192.0.2.1', route: null, code: null })
  t.equal(app.rampartAlerts.stats().rules.any!.inWindow, 4)
  await app.close()
  const second = await build({ defaultRules: false, rules: { any: { channel: 'test:alerts:shapes', cooldownMs: 0 } } })
  t.teardown(() => second.close())
  channel.publish({ client: 'AbCdEf0123456789_-xyzQ' }) // a hashed client key, not an address
  channel.publish({ client: '2001:db8::/64' })
  t.same(
    alerts.slice(1).map((alert) => alert.sample.ip),
    [null, '2001:db8::/64'],
  )
})

t.test('a code reader that throws leaves the code out of the sample, and the alert goes out', async (t) => {
  const app = await build({
    defaultRules: false,
    rules: {
      'rate-limit': {
        threshold: 1,
        code: () => {
          throw new Error('bad reader')
        },
      },
    },
  })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/rate-limit')
  t.match(alerts, [{ type: 'rate-limit', sample: { ip: '127.0.0.1', route: '/refuse/:kind', code: null } }])
})

t.test('rules: override a default, turn one off, add your own', async (t) => {
  const app = await build({
    rules: {
      'rate-limit': { threshold: 2, severity: 'critical' },
      'auth-failures': false,
      forbidden: {
        channel: 'rampart:core:refusal',
        match: (message) => message.status === 403,
        threshold: 3,
        title: 'Forbidden',
      },
    },
  })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/rate-limit', 2)
  await hit(app, '/refuse/auth', 100)
  await hit(app, '/refuse/forbidden', 3)
  t.match(alerts, [
    { type: 'rate-limit', severity: 'critical', threshold: 2 },
    { type: 'forbidden', title: 'Forbidden', severity: 'error', sample: { code: 'RAMPART_CORS_ORIGIN_NOT_ALLOWED' } },
  ])
  t.equal(alerts.length, 2)
  t.notOk('auth-failures' in app.rampartAlerts.stats().rules)
})

t.test('a default rule moved to another channel drops its selector unless given one', async (t) => {
  const app = await build({
    defaultRules: false,
    rules: { 'rate-limit': { channel: 'rampart:rate-limit:exceeded', threshold: 2 } },
  })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  const exceeded = diagnosticsChannel.channel('rampart:rate-limit:exceeded')
  exceeded.publish({ limiter: 'default', policy: 'minute', shadow: false })
  exceeded.publish({ limiter: 'default', policy: 'minute', shadow: true })
  t.equal(alerts.length, 1, 'every message of the new channel counts (no `source`/`status` there)')
})

t.test('a rule whose match throws is logged once and never breaks the publisher', async (t) => {
  const { lines, stream } = logCapture()
  const app = await build(
    {
      defaultRules: false,
      rules: {
        broken: {
          channel: 'rampart:core:refusal',
          match: () => {
            throw new Error('bad selector')
          },
        },
        'rate-limit': { threshold: 3 },
      },
    },
    { logger: { level: 'error', stream } },
  )
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/refuse/rate-limit')).statusCode, 429)
  t.equal(alerts.length, 1, 'the other rule of the channel still counts')
  const logged = lines.filter((line) => line.rule === 'broken')
  t.equal(logged.length, 1)
  t.match(logged[0], { level: 50, err: { message: 'bad selector' } })
})

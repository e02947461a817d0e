import t from 'tap'
import { build, Clock, firedAlerts, hit } from './fixtures/app.js'

const rules = (overrides: Record<string, unknown> = {}) => ({
  defaultRules: false,
  rules: {
    'rate-limit': { threshold: 3, windowMs: 60_000, cooldownMs: 120_000, ...overrides },
  },
})

t.test('fires exactly once at the threshold, suppresses during the cooldown, fires again after it', async (t) => {
  const clock = new Clock()
  const app = await build({ ...rules(), now: clock.now })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)

  await hit(app, '/refuse/rate-limit', 2)
  t.equal(alerts.length, 0, 'below the threshold: nothing')
  clock.advance(1000)
  await hit(app, '/refuse/rate-limit')
  t.equal(alerts.length, 1, 'the third event fires')
  t.match(alerts[0], { type: 'rate-limit', count: 3, threshold: 3, windowMs: 60_000, suppressed: 0 })

  for (let i = 0; i < 10; i++) {
    clock.advance(5000)
    await hit(app, '/refuse/rate-limit')
  }
  t.equal(alerts.length, 1, 'the cooldown suppresses every further event over the threshold')
  t.match(app.rampartAlerts.stats().rules['rate-limit'], { fired: 1, suppressed: 10 })

  // 120 s after the alert: the cooldown is over, but the window (60 s) must hold 3 events again.
  clock.time = 1_700_000_000_000 + 1000 + 120_000 + 61_000
  await hit(app, '/refuse/rate-limit', 2)
  t.equal(alerts.length, 1, 'after the cooldown the old events have left the window')
  await hit(app, '/refuse/rate-limit')
  t.equal(alerts.length, 2, 'a new burst fires again')
  t.match(alerts[1], { count: 3, suppressed: 10 }, 'reports what the cooldown suppressed')
})

t.test('right after the cooldown, the next event fires if the window is still over the threshold', async (t) => {
  const clock = new Clock()
  const app = await build({ ...rules({ cooldownMs: 10_000 }), now: clock.now })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/rate-limit', 3)
  t.equal(alerts.length, 1)
  clock.advance(9999)
  await hit(app, '/refuse/rate-limit')
  t.equal(alerts.length, 1, 'still cooling down')
  clock.advance(1)
  await hit(app, '/refuse/rate-limit')
  t.equal(alerts.length, 2, 'the cooldown is over and 5 events are in the window')
  t.equal(alerts[1]!.count, 5)
})

t.test('the window decays: events spread beyond it never fire (the seed counted forever)', async (t) => {
  const clock = new Clock()
  const app = await build({ ...rules(), now: clock.now })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  for (let i = 0; i < 20; i++) {
    await hit(app, '/refuse/rate-limit')
    clock.advance(31_000) // two per minute at most: never three in 60 s
  }
  t.equal(alerts.length, 0, '20 events, never 3 within 60 s')
  t.ok(app.rampartAlerts.stats().rules['rate-limit']!.inWindow <= 2)

  clock.advance(1000)
  await hit(app, '/refuse/rate-limit', 2)
  t.equal(alerts.length, 1, 'three within the window do fire')
})

t.test('an idle window empties completely', async (t) => {
  const clock = new Clock()
  const app = await build({ ...rules(), now: clock.now })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/rate-limit', 2)
  clock.advance(3_600_000)
  t.equal(app.rampartAlerts.stats().rules['rate-limit']!.inWindow, 0)
  await hit(app, '/refuse/rate-limit', 2)
  t.equal(alerts.length, 0)
})

t.test('the alert says what, when and from where, and carries no secrets', async (t) => {
  const clock = new Clock()
  const app = await build({ ...rules({ threshold: 2 }), now: clock.now })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  const secrets = { authorization: 'Bearer secret-token-1234', cookie: 'session=secret-cookie-5678' }
  await hit(app, '/refuse/rate-limit?api_key=secret-query-9012', 1, secrets)
  clock.advance(7000)
  await hit(app, '/refuse/rate-limit?api_key=secret-query-9012', 1, secrets)
  t.equal(alerts.length, 1)
  const alert = alerts[0]!
  t.same(alert, {
    type: 'rate-limit',
    title: 'Rate-limit refusals',
    severity: 'warning',
    count: 2,
    threshold: 2,
    windowMs: 60_000,
    firstSeen: 1_700_000_000_000,
    lastSeen: 1_700_000_007_000,
    suppressed: 0,
    sample: { ip: '127.0.0.1', route: '/refuse/:kind', code: 'RAMPART_RATE_LIMIT_EXCEEDED' },
  })
  t.notMatch(JSON.stringify(alert), /secret/, 'no header, token or query string')
})

t.test('types count separately, each with its own cooldown', async (t) => {
  const clock = new Clock()
  const app = await build({
    defaultRules: false,
    rules: {
      'rate-limit': { threshold: 2 },
      'auth-failures': { threshold: 2 },
    },
    now: clock.now,
  })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/rate-limit')
  await hit(app, '/refuse/auth')
  t.equal(alerts.length, 0)
  await hit(app, '/refuse/rate-limit')
  await hit(app, '/refuse/auth')
  t.same(
    alerts.map((alert) => alert.type),
    ['rate-limit', 'auth-failures'],
  )
})

t.test('a rule with cooldown 0 fires on every event at or over the threshold', async (t) => {
  const app = await build({ ...rules({ threshold: 2, cooldownMs: 0 }) })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/rate-limit', 4)
  t.same(
    alerts.map((alert) => alert.count),
    [2, 3, 4],
  )
})

import t from 'tap'
import { build, Clock, firedAlerts, hit } from './fixtures/app.js'

// Regressions of the seed's AlertingMiddleware (000, "Monitoring & Alerts") and
// SecurityMonitoringMiddleware (002, Part 6).

t.test('seed: counters never decayed, so 100 refusals over ten hours alerted like 100 in a minute', async (t) => {
  const clock = new Clock()
  const app = await build({ now: clock.now })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  for (let i = 0; i < 150; i++) {
    await hit(app, '/refuse/rate-limit')
    clock.advance(240_000) // one every 4 minutes: never more than 2 in 5 minutes
  }
  t.equal(alerts.length, 0)
})

t.test('seed: after the cooldown, one stray event alerted with the count piled up during it', async (t) => {
  const clock = new Clock()
  const app = await build({ now: clock.now, defaultRules: false, rules: { 'auth-failures': {} } })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/auth', 50)
  t.equal(alerts.length, 1)
  await hit(app, '/refuse/auth', 200) // during the cooldown
  clock.advance(600_000)
  await hit(app, '/refuse/auth')
  t.equal(alerts.length, 1, 'the 250 events are ten minutes old: one event now is no attack')
})

t.test('seed: a partial threshold table replaced the whole one (others fell back to 100)', async (t) => {
  const app = await build({ rules: { 'rate-limit': { threshold: 5 } } })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/too-large', 10)
  await hit(app, '/refuse/rate-limit', 5)
  t.same(
    alerts.map((alert) => [alert.type, alert.threshold]),
    [
      ['large-payloads', 10],
      ['rate-limit', 5],
    ],
  )
})

t.test('seed: every alert was critical', async (t) => {
  const app = await build({ rules: { 'rate-limit': { threshold: 1 } } })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await hit(app, '/refuse/rate-limit')
  t.equal(alerts[0]!.severity, 'warning', 'a burst of 429s is a warning; a store outage is critical')
})

t.test('seed (Part 6): security incidents carried every request header', async (t) => {
  const app = await build({ rules: { 'auth-failures': { threshold: 1 } } })
  t.teardown(() => app.close())
  const alerts = firedAlerts(t)
  await app.inject({
    url: '/refuse/auth?token=query-secret',
    headers: { authorization: 'Basic dXNlcjpwYXNzd29yZA==', cookie: 'sid=cookie-secret', 'x-api-key': 'key-secret' },
  })
  t.equal(alerts.length, 1)
  t.same(Object.keys(alerts[0]!.sample), ['ip', 'route', 'code'])
  t.notMatch(JSON.stringify(alerts[0]), /secret|dXNlcjpwYXNzd29yZA/)
})

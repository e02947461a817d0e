// Seed 002 Part 5 (`UserSession.is_expired`) compares a naive `datetime.utcnow()` with the aware
// `expires_at` column: a TypeError on every call, or, where both are naive, local time read as
// UTC. Here every time is epoch ms from one clock, and the cookie's Expires is an HTTP-date in GMT.
import t from 'tap'
import { buildApp, cookie, cookieValue, fakeClock } from './fixtures/helpers.js'

t.test('expiry does not depend on the process timezone or on DST', async (t) => {
  const saved = process.env.TZ
  t.teardown(() => {
    if (saved === undefined) delete process.env.TZ
    else process.env.TZ = saved
  })
  // 2025-03-30 00:30 UTC: one hour before Europe/Berlin (and 30 minutes before Europe/London) leave winter time.
  const start = Date.UTC(2025, 2, 30, 0, 30)
  for (const zone of ['UTC', 'Pacific/Kiritimati', 'America/St_Johns', 'Europe/Berlin']) {
    process.env.TZ = zone
    const clock = fakeClock(start)
    const app = await buildApp(t, { now: clock.now, idleTimeout: 3600, absoluteTimeout: 7200 })
    const login = await app.inject({ method: 'POST', url: '/login/alice' })
    t.match(
      login.headers['set-cookie'],
      /Max-Age=7200; Expires=Sun, 30 Mar 2025 02:30:00 GMT;/,
      `${zone}: Expires in GMT`,
    )
    const id = cookieValue(login) as string
    clock.advance(3600_000 - 1)
    t.equal(
      (await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId,
      'alice',
      `${zone}: alive at 59:59.999`,
    )
    clock.advance(3600_000)
    t.equal(
      (await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId,
      null,
      `${zone}: idle after an hour, DST or not`,
    )
  }
})

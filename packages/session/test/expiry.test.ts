import t from 'tap'
import { type ExpiredEvent, expiredChannel } from '../src/index.js'
import { buildApp, cookie, cookieValue, fakeClock } from './fixtures/helpers.js'

const MINUTE = 60_000

t.test('idle expiry: a session unused for idleTimeout is gone, with an expired event', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now, idleTimeout: 1800, touchInterval: 60 })
  const expired: ExpiredEvent[] = []
  t.teardown(expiredChannel.subscribe((event) => expired.push(event)))
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  clock.advance(30 * MINUTE - 1)
  t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, 'alice', 'one ms before: alive')
  clock.advance(30 * MINUTE - 1)
  t.equal(
    (await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId,
    'alice',
    'that request was activity',
  )
  clock.advance(30 * MINUTE)
  const after = await app.inject({ url: '/whoami', headers: cookie(id) })
  t.equal(after.statusCode, 200)
  t.same(after.json(), { userId: null, data: {}, isNew: true }, 'idle for 30 minutes: no session')
  t.equal(expired.length, 1)
  t.equal(expired[0]?.reason, 'idle')
  t.equal(expired[0]?.userId, 'alice')
  t.ok(expired[0]?.request, 'the request is in the event')
  clock.advance(-60 * MINUTE)
  t.equal(
    (await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId,
    null,
    'and deleted: turning the clock back does not revive it',
  )
})

t.test('activity keeps a session alive, within the touch granularity', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now, idleTimeout: 600, touchInterval: 60, absoluteTimeout: 86_400 })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  for (let i = 0; i < 12; i++) {
    clock.advance(5 * MINUTE)
    t.equal(
      (await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId,
      'alice',
      `after ${(i + 1) * 5} min`,
    )
  }
})

t.test('a read within the touch interval is not activity: the idle timeout counts from the last write', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now, idleTimeout: 600, touchInterval: 120 })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  clock.advance(MINUTE) // within the interval: no touch
  t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, 'alice')
  clock.advance(9 * MINUTE) // 10 minutes after the last write
  t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, null)
})

t.test('absolute expiry: the session ends at absoluteTimeout however active it is', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now, idleTimeout: 1800, absoluteTimeout: 7200 })
  const reasons: string[] = []
  t.teardown(expiredChannel.subscribe((event) => reasons.push(event.reason)))
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  for (let minute = 10; minute < 120; minute += 10) {
    clock.advance(10 * MINUTE)
    t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, 'alice', `minute ${minute}`)
  }
  clock.advance(10 * MINUTE) // exactly 2 hours after login
  t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, null, 'two hours: gone')
  t.same(reasons, ['absolute'])
})

t.test('regenerate() keeps the absolute expiry; login() starts a new lifetime', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now, idleTimeout: 1800, absoluteTimeout: 3600 })
  const first = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  clock.advance(50 * MINUTE)
  const elevated = cookieValue(await app.inject({ method: 'POST', url: '/elevate', headers: cookie(first) })) as string
  clock.advance(10 * MINUTE)
  t.equal(
    (await app.inject({ url: '/whoami', headers: cookie(elevated) })).json().userId,
    null,
    'an elevation does not extend the lifetime',
  )

  const second = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  clock.advance(50 * MINUTE)
  const relogged = await app.inject({ method: 'POST', url: '/login/alice', headers: cookie(second) })
  const third = cookieValue(relogged) as string
  t.match(relogged.headers['set-cookie'], /Max-Age=3600;/, 'a new login: a full lifetime')
  clock.advance(25 * MINUTE) // 75 minutes after the first login: past its lifetime, not the new one's
  t.equal((await app.inject({ url: '/whoami', headers: cookie(third) })).json().userId, 'alice')
})

t.test('a session reaching its absolute expiry during the request is not saved', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now, idleTimeout: 60, absoluteTimeout: 60, touchInterval: 0 }, (app) => {
    app.post('/slow', async (request) => {
      const session = await request.sessionLoad()
      clock.advance(MINUTE)
      session.set('late', true)
      return { ok: true }
    })
  })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/visit' })) as string
  clock.advance(30_000)
  const slow = await app.inject({ method: 'POST', url: '/slow', headers: cookie(id) })
  t.equal(slow.statusCode, 200)
  clock.advance(-MINUTE)
  t.same(
    (await app.inject({ url: '/whoami', headers: cookie(id) })).json().data,
    { visited: true },
    'the late change was dropped',
  )
})

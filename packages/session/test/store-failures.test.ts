import { refusalChannel } from '@rampart/core'
import t from 'tap'
import { MemorySessionStore, type SessionStore } from '../src/index.js'
import { buildApp, cookie, cookieValue, fakeClock } from './fixtures/helpers.js'

/** A memory store whose methods fail on demand. */
function failingStore(now: () => number): { store: SessionStore; failing: Set<string> } {
  const inner = new MemorySessionStore({ now })
  const failing = new Set<string>()
  const guard = <T>(name: string, call: () => T): T => {
    if (failing.has(name)) throw new Error(`${name} failed`)
    return call()
  }
  const store: SessionStore = {
    get: (handle) => guard('get', () => inner.get(handle)),
    create: (handle, session, ttl) => guard('create', () => inner.create(handle, session, ttl)),
    update: (handle, session, ttl) => guard('update', () => inner.update(handle, session, ttl)),
    touch: (handle, lastSeenAt, ttl) => guard('touch', () => inner.touch(handle, lastSeenAt, ttl)),
    delete: (handle) => guard('delete', () => inner.delete(handle)),
    list: (userId) => guard('list', () => inner.list(userId)),
    deleteAll: (userId, except) => guard('deleteAll', () => inner.deleteAll(userId, except)),
  }
  return { store, failing }
}

t.test(
  'a store that cannot delete: login, regenerate and logout answer 503, and the old id is not left half-rotated',
  async (t) => {
    const clock = fakeClock()
    const { store, failing } = failingStore(clock.now)
    const app = await buildApp(t, { store, now: clock.now }, undefined, { problemReplies: true })
    const refusals: string[] = []
    t.teardown(refusalChannel.subscribe((event) => refusals.push(event.code)))
    const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
    failing.add('delete')
    for (const url of ['/login/bob', '/elevate', '/logout']) {
      const response = await app.inject({ method: 'POST', url, headers: cookie(id) })
      t.equal(response.statusCode, 503, url)
      t.equal(response.json().code, 'RAMPART_SESSION_UNAVAILABLE', url)
      t.equal(response.headers['set-cookie'], undefined, `${url}: no new cookie`)
    }
    failing.delete('delete')
    t.equal(
      (await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId,
      'alice',
      'still the same session',
    )
    t.same(refusals, Array(3).fill('RAMPART_SESSION_UNAVAILABLE'))
  },
)

t.test('a store that cannot update: the change is refused with 503 from onSend (a refusal event too)', async (t) => {
  const clock = fakeClock()
  const { store, failing } = failingStore(clock.now)
  const app = await buildApp(t, { store, now: clock.now })
  const refusals: string[] = []
  t.teardown(refusalChannel.subscribe((event) => refusals.push(event.code)))
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  failing.add('update')
  const response = await app.inject({ method: 'POST', url: '/visit', headers: cookie(id) })
  t.equal(response.statusCode, 503)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.equal(response.headers['retry-after'], '1')
  t.equal(response.json().code, 'RAMPART_SESSION_UNAVAILABLE')
  t.same(refusals, ['RAMPART_SESSION_UNAVAILABLE'])
})

t.test('a store that cannot delete an expired session: still no session, the request goes on', async (t) => {
  const clock = fakeClock()
  const { store, failing } = failingStore(clock.now)
  const app = await buildApp(t, { store, now: clock.now, idleTimeout: 60 })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  clock.advance(60_000)
  failing.add('delete')
  const response = await app.inject({ url: '/whoami', headers: cookie(id) })
  t.equal(response.statusCode, 200)
  t.equal(response.json().userId, null)
})

t.test('a failing store makes revoke, revokeAll and list reject (the caller decides)', async (t) => {
  const clock = fakeClock()
  const { store, failing } = failingStore(clock.now)
  const app = await buildApp(t, { store, now: clock.now })
  for (const name of ['delete', 'deleteAll', 'list']) failing.add(name)
  await t.rejects(app.rampartSession.revoke('0'.repeat(64)), /delete failed/)
  await t.rejects(app.rampartSession.revokeAll('alice'), /deleteAll failed/)
  await t.rejects(app.rampartSession.list('alice'), /list failed/)
})

t.test('the session exposes its times (epoch ms)', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(
    t,
    { now: clock.now, absoluteTimeout: 3600, idleTimeout: 600, touchInterval: 10 },
    (app) => {
      app.get('/times', async (request) => {
        const session = await request.sessionLoad()
        return {
          createdAt: session.createdAt,
          lastSeenAt: session.lastSeenAt,
          absoluteExpiresAt: session.absoluteExpiresAt,
        }
      })
    },
  )
  const start = clock.now()
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  clock.advance(20_000)
  t.same((await app.inject({ url: '/times', headers: cookie(id) })).json(), {
    createdAt: start,
    lastSeenAt: start,
    absoluteExpiresAt: start + 3_600_000,
  })
  t.same((await app.inject({ url: '/times', headers: cookie(id) })).json().lastSeenAt, start + 20_000, 'touched')
})

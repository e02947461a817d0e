import t from 'tap'
import { type RevokedEvent, revokedChannel } from '../src/index.js'
import { buildApp, cookie, cookieValue, fakeClock } from './fixtures/helpers.js'

t.test('list(): the live sessions of a user, by handle (never the id), most recent first', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now, idleTimeout: 600 })
  const first = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  clock.advance(1000)
  const second = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  await app.inject({ method: 'POST', url: '/login/bob' })
  const list = await app.rampartSession.list('alice')
  t.equal(list.length, 2)
  t.ok(list.every((entry) => /^[0-9a-f]{64}$/.test(entry.handle) && entry.ref === entry.handle.slice(0, 16)))
  t.notOk(JSON.stringify(list).includes(first) || JSON.stringify(list).includes(second), 'no id in the list')
  t.ok((list[0]?.lastSeenAt ?? 0) > (list[1]?.lastSeenAt ?? 0))
  t.equal(list[0]?.idleExpiresAt, (list[0]?.lastSeenAt ?? 0) + 600_000)
  t.same(await app.rampartSession.list('nobody'), [])
  clock.advance(600_000)
  t.same(await app.rampartSession.list('alice'), [], 'expired sessions are not listed')
})

t.test('revoke(handle): that session is refused at once, the others live on', async (t) => {
  const app = await buildApp(t, {}, (app) => {
    app.get('/handle', async (request) => ({ handle: (await request.sessionLoad()).handle }))
  })
  const events: RevokedEvent[] = []
  t.teardown(revokedChannel.subscribe((event) => events.push(event)))
  const phone = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  const laptop = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  const handle = (await app.inject({ url: '/handle', headers: cookie(phone) })).json().handle
  t.equal(await app.rampartSession.revoke(handle), true)
  t.equal(await app.rampartSession.revoke(handle), false, 'twice: nothing left')
  t.same((await app.inject({ url: '/whoami', headers: cookie(phone) })).json(), { userId: null, data: {}, isNew: true })
  t.equal((await app.inject({ url: '/whoami', headers: cookie(laptop) })).json().userId, 'alice')
  t.equal(events.length, 1)
  t.same(
    { reason: events[0]?.reason, userId: events[0]?.userId, count: events[0]?.count, ref: events[0]?.ref },
    {
      reason: 'revoke',
      userId: 'alice',
      count: 1,
      ref: handle.slice(0, 16),
    },
  )
  t.equal(events[0]?.request, undefined)
  await t.rejects(
    app.rampartSession.revoke(phone),
    { code: 'RAMPART_SESSION_INVALID_ARGUMENT' },
    'an id is not a handle',
  )
})

t.test('revokeAll(userId): every session of the user, on every device; except keeps one', async (t) => {
  const app = await buildApp(t, {}, (app) => {
    app.post('/logout-others', async (request) => {
      const session = await request.sessionLoad()
      const count = await app.rampartSession.revokeAll(session.userId as string, { except: session.handle })
      return { count }
    })
  })
  const events: RevokedEvent[] = []
  t.teardown(revokedChannel.subscribe((event) => events.push(event)))
  const ids = []
  for (let i = 0; i < 3; i++) ids.push(cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string)
  const bob = cookieValue(await app.inject({ method: 'POST', url: '/login/bob' })) as string

  const others = await app.inject({ method: 'POST', url: '/logout-others', headers: cookie(ids[0] as string) })
  t.same(others.json(), { count: 2 })
  t.equal(
    (await app.inject({ url: '/whoami', headers: cookie(ids[0] as string) })).json().userId,
    'alice',
    'the current one is kept',
  )
  t.equal((await app.inject({ url: '/whoami', headers: cookie(ids[1] as string) })).json().userId, null)

  t.equal(await app.rampartSession.revokeAll('alice'), 1)
  for (const id of ids) t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, null)
  t.equal((await app.inject({ url: '/whoami', headers: cookie(bob) })).json().userId, 'bob', 'other users untouched')
  t.same(
    events.map((event) => [event.reason, event.userId, event.count]),
    [
      ['revoke-all', 'alice', 2],
      ['revoke-all', 'alice', 1],
    ],
  )
  t.equal(await app.rampartSession.revokeAll('alice'), 0)
  await t.rejects(app.rampartSession.revokeAll(''), { code: 'RAMPART_SESSION_INVALID_ARGUMENT' })
  await t.rejects(app.rampartSession.revokeAll('alice', { except: 'nope' }), {
    code: 'RAMPART_SESSION_INVALID_ARGUMENT',
  })
})

t.test('a session revoked while a request is in flight is never written back', async (t) => {
  const app = await buildApp(t, {}, (app) => {
    app.post('/revoked-meanwhile', async (request) => {
      const session = await request.sessionLoad()
      await app.rampartSession.revokeAll('alice') // e.g. a password change elsewhere
      session.set('late', true)
      return { ok: true }
    })
  })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  const response = await app.inject({ method: 'POST', url: '/revoked-meanwhile', headers: cookie(id) })
  t.equal(response.statusCode, 200)
  t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, null, 'not resurrected')
  t.same(await app.rampartSession.list('alice'), [])
})

t.test('regenerate() on a session revoked meanwhile: 401 RAMPART_SESSION_ENDED, no new session', async (t) => {
  const app = await buildApp(
    t,
    {},
    (app) => {
      app.post('/elevate-revoked', async (request) => {
        const session = await request.sessionLoad()
        await app.rampartSession.revokeAll('alice')
        await session.regenerate()
        session.set('role', 'admin')
        return { ok: true }
      })
    },
    { problemReplies: true },
  )
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  const response = await app.inject({ method: 'POST', url: '/elevate-revoked', headers: cookie(id) })
  t.equal(response.statusCode, 401)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.equal(response.json().code, 'RAMPART_SESSION_ENDED')
  t.equal(response.headers['set-cookie'], undefined, 'no session issued')
  t.same(await app.rampartSession.list('alice'), [])
})

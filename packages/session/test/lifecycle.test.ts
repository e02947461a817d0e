import t from 'tap'
import {
  createdChannel,
  destroyedChannel,
  MemorySessionStore,
  SESSION_ID_PATTERN,
  type SessionStore,
  sessionHandle,
} from '../src/index.js'
import { buildApp, cookie, cookieValue, fakeClock, setCookies } from './fixtures/helpers.js'

/** A memory store that counts the calls made to it. */
function countingStore(now?: () => number): { store: SessionStore; calls: Record<string, number> } {
  const inner = new MemorySessionStore(now === undefined ? {} : { now })
  const calls: Record<string, number> = {}
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1)
  const store: SessionStore = {
    get: (handle) => {
      count('get')
      return inner.get(handle)
    },
    create: (handle, session, ttl) => {
      count('create')
      inner.create(handle, session, ttl)
    },
    update: (handle, session, ttl) => {
      count('update')
      return inner.update(handle, session, ttl)
    },
    touch: (handle, lastSeenAt, ttl) => {
      count('touch')
      return inner.touch(handle, lastSeenAt, ttl)
    },
    delete: (handle) => {
      count('delete')
      return inner.delete(handle)
    },
    list: (userId) => {
      count('list')
      return inner.list(userId)
    },
    deleteAll: (userId, except) => {
      count('deleteAll')
      return inner.deleteAll(userId, except)
    },
  }
  return { store, calls }
}

t.test('a visitor gets no session, and no cookie, until something is stored', async (t) => {
  const app = await buildApp(t)
  const read = await app.inject('/whoami')
  t.equal(read.statusCode, 200)
  t.same(read.json(), { userId: null, data: {}, isNew: true })
  t.same(setCookies(read), [], 'reading an empty session sets no cookie')

  const visit = await app.inject({ method: 'POST', url: '/visit' })
  const id = cookieValue(visit)
  t.ok(id !== undefined && SESSION_ID_PATTERN.test(id), 'a 43-character base64url id (32 random bytes)')
  t.equal(visit.headers['cache-control'], 'no-store', 'a response setting a session cookie is not cacheable')
  const again = await app.inject({ url: '/whoami', headers: cookie(id as string) })
  t.same(again.json(), { userId: null, data: { visited: true }, isNew: false })
  t.same(setCookies(again), [], 'an unchanged session is not re-sent')
})

t.test(
  'the cookie: HttpOnly, SameSite=Lax, Path=/, Max-Age at the absolute expiry; not Secure outside production',
  async (t) => {
    const clock = fakeClock()
    const app = await buildApp(t, { now: clock.now, absoluteTimeout: 7200, idleTimeout: 600 })
    const [line] = setCookies(await app.inject({ method: 'POST', url: '/visit' }))
    t.match(
      line,
      /^sid=[A-Za-z0-9_-]{43}; Max-Age=7200; Expires=Wed, 01 Jan 2025 14:00:00 GMT; Path=\/; HttpOnly; SameSite=Lax$/,
    )
    t.notMatch(line, /Secure/)
  },
)

t.test('production: Secure, and the __Host- prefix by default', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { production: true, sameSite: 'strict', now: clock.now })
  const response = await app.inject({ method: 'POST', url: '/visit' })
  const [line] = setCookies(response)
  t.match(
    line,
    /^__Host-sid=[A-Za-z0-9_-]{43}; Max-Age=43200; Expires=[^;]+ GMT; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
  )
  t.notMatch(line, /Domain=/i, '__Host- cookies carry no Domain')
  const id = cookieValue(response, '__Host-sid') as string
  const read = await app.inject({ url: '/whoami', headers: cookie(id, '__Host-sid') })
  t.same(read.json().data, { visited: true })
  const wrongName = await app.inject({ url: '/whoami', headers: cookie(id) })
  t.same(wrongName.json().data, {}, 'only the configured cookie name is read')
})

t.test('persistent: false sets a browser-session cookie (no Max-Age or Expires)', async (t) => {
  const app = await buildApp(t, { persistent: false })
  const [line] = setCookies(await app.inject({ method: 'POST', url: '/visit' }))
  t.match(line, /^sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/)
})

t.test(
  'lazy loading: a route that never loads the session costs no store round trip, even with the cookie',
  async (t) => {
    const { store, calls } = countingStore()
    const app = await buildApp(t, { store })
    const id = cookieValue(await app.inject({ method: 'POST', url: '/visit' })) as string
    const before = { ...calls }
    const response = await app.inject({ url: '/public', headers: cookie(id) })
    t.equal(response.statusCode, 200)
    t.same(calls, before, 'no store call')
    await app.inject({ url: '/whoami' })
    t.same(calls, before, 'without the cookie, loading reads nothing either')
    await app.inject({ url: '/whoami', headers: cookie(id) })
    t.equal(calls.get, (before.get ?? 0) + 1, 'with the cookie: one read')
  },
)

t.test('sessionLoad() is memoised: one read however often it is called', async (t) => {
  const { store, calls } = countingStore()
  const app = await buildApp(t, { store }, (app) => {
    app.get('/twice', async (request) => {
      const [a, b] = await Promise.all([request.sessionLoad(), request.sessionLoad()])
      const c = await request.sessionLoad()
      return { same: a === b && b === c && request.session === a }
    })
  })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/visit' })) as string
  const reads = calls.get ?? 0
  t.same((await app.inject({ url: '/twice', headers: cookie(id) })).json(), { same: true })
  t.equal(calls.get, reads + 1)
})

t.test(
  'loading in onRequest: per route (config.rampart.session) or everywhere (autoLoad), only with the cookie',
  async (t) => {
    const { store, calls } = countingStore()
    const app = await buildApp(t, { store }, (app) => {
      app.get('/early', { config: { rampart: { session: true } } }, async (request) => ({
        loaded: request.session !== null,
        visited: request.session?.get('visited') ?? null,
      }))
      app.get('/late', async (request) => ({ loaded: request.session !== null }))
    })
    const id = cookieValue(await app.inject({ method: 'POST', url: '/visit' })) as string
    t.same((await app.inject({ url: '/early', headers: cookie(id) })).json(), { loaded: true, visited: true })
    t.same((await app.inject({ url: '/late', headers: cookie(id) })).json(), { loaded: false })
    const reads = calls.get ?? 0
    t.same((await app.inject({ url: '/early' })).json(), { loaded: true, visited: null }, 'an empty session')
    t.equal(calls.get ?? 0, reads, 'no cookie: no store read')

    const auto = await buildApp(t, { autoLoad: true }, (app) => {
      app.get('/auto', async (request) => ({ loaded: request.session !== null }))
      app.get('/opted-out', { config: { rampart: { session: false } } }, async (request) => ({
        loaded: request.session !== null,
      }))
    })
    t.same((await auto.inject('/auto')).json(), { loaded: true })
    t.same((await auto.inject('/opted-out')).json(), { loaded: false })
  },
)

t.test('changes are saved once, at the end of the request, and only when something changed', async (t) => {
  const clock = fakeClock()
  const { store, calls } = countingStore(clock.now)
  const app = await buildApp(t, { store, now: clock.now }, (app) => {
    app.post('/counter', async (request) => {
      const session = await request.sessionLoad()
      const count = (session.get<number>('count') ?? 0) + 1
      session.set('count', count)
      session.set('count', count) // two sets, one write
      return { count }
    })
    app.post('/mutate', async (request) => {
      const session = await request.sessionLoad()
      const list = session.get<string[]>('list') ?? []
      list.push('x')
      if (!session.has('list')) session.set('list', list)
      else session.markChanged()
      return { list }
    })
    app.post('/remove', async (request) => {
      const session = await request.sessionLoad()
      return { removed: session.delete('count'), again: session.delete('count') }
    })
  })
  const first = await app.inject({ method: 'POST', url: '/counter' })
  const id = cookieValue(first) as string
  t.equal(calls.create, 1)
  t.equal((await app.inject({ method: 'POST', url: '/counter', headers: cookie(id) })).json().count, 2)
  t.equal(calls.update, 1, 'one write for two sets')
  await app.inject({ url: '/whoami', headers: cookie(id) })
  t.equal(calls.update, 1, 'a read writes nothing')
  t.equal(calls.touch, undefined, 'and touches nothing within the touch interval')

  await app.inject({ method: 'POST', url: '/mutate', headers: cookie(id) })
  t.same((await app.inject({ method: 'POST', url: '/mutate', headers: cookie(id) })).json().list, ['x', 'x'])
  t.same(
    (await app.inject({ url: '/whoami', headers: cookie(id) })).json().data.list,
    ['x', 'x'],
    'markChanged saves in-place changes',
  )
  t.same((await app.inject({ method: 'POST', url: '/remove', headers: cookie(id) })).json(), {
    removed: true,
    again: false,
  })
  t.notOk('count' in (await app.inject({ url: '/whoami', headers: cookie(id) })).json().data)
})

t.test('activity is written at most once per touchInterval', async (t) => {
  const clock = fakeClock()
  const { store, calls } = countingStore(clock.now)
  const app = await buildApp(t, { store, now: clock.now, touchInterval: 60, idleTimeout: 600 })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/visit' })) as string
  for (let i = 0; i < 5; i++) {
    clock.advance(10_000)
    await app.inject({ url: '/whoami', headers: cookie(id) })
  }
  t.equal(calls.touch, undefined, '50 s of requests: no write')
  clock.advance(10_000)
  await app.inject({ url: '/whoami', headers: cookie(id) })
  t.equal(calls.touch, 1, 'past 60 s: one touch')
  await app.inject({ url: '/whoami', headers: cookie(id) })
  t.equal(calls.touch, 1, 'and not again at once')
  const stored = await store.get(sessionHandle(id))
  t.equal(stored?.lastSeenAt, clock.now(), 'lastSeenAt moved')
})

t.test(
  'destroy(): deleted at once, cookie cleared, events; setting data afterwards starts a new session',
  async (t) => {
    const app = await buildApp(t, {}, (app) => {
      app.post('/logout-and-flash', async (request) => {
        const session = await request.sessionLoad()
        await session.destroy()
        session.set('flash', 'bye')
        return { ok: true }
      })
    })
    const created: string[] = []
    const destroyed: Array<{ userId?: string; reason: string; ref?: string }> = []
    t.teardown(createdChannel.subscribe((event) => created.push(event.reason)))
    t.teardown(
      destroyedChannel.subscribe((event) =>
        destroyed.push({ userId: event.userId, reason: event.reason, ref: event.ref }),
      ),
    )

    const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
    t.same(created, ['login'])
    const logout = await app.inject({ method: 'POST', url: '/logout', headers: cookie(id) })
    t.match(
      setCookies(logout)[0],
      /^sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=\/; HttpOnly; SameSite=Lax$/,
    )
    t.equal(destroyed.length, 1)
    t.equal(destroyed[0]?.userId, 'alice')
    t.match(destroyed[0]?.ref, /^[0-9a-f]{16}$/)
    t.notOk(JSON.stringify(destroyed).includes(id), 'events never carry the id')
    t.same((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, null, 'the old id is dead')

    const id2 = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
    const flash = await app.inject({ method: 'POST', url: '/logout-and-flash', headers: cookie(id2) })
    const id3 = cookieValue(flash) as string
    t.ok(id3.length === 43 && id3 !== id2, 'a new anonymous session replaces the cookie')
    t.same((await app.inject({ url: '/whoami', headers: cookie(id3) })).json(), {
      userId: null,
      data: { flash: 'bye' },
      isNew: false,
    })
    t.equal((await app.inject({ url: '/whoami', headers: cookie(id2) })).json().userId, null)

    const none = await app.inject({ method: 'POST', url: '/logout' })
    t.same(setCookies(none), [], 'no cookie sent, none cleared')
  },
)

t.test('several Set-Cookie headers coexist with the session cookie', async (t) => {
  const app = await buildApp(t, {}, (app) => {
    app.post('/with-other-cookie', async (request, reply) => {
      reply.header('set-cookie', 'theme=dark; Path=/')
      ;(await request.sessionLoad()).set('a', 1)
      return { ok: true }
    })
  })
  const response = await app.inject({ method: 'POST', url: '/with-other-cookie' })
  t.equal(setCookies(response).length, 2)
  t.equal(setCookies(response)[0], 'theme=dark; Path=/')
})

t.test('data that is not JSON or too large: 500 problem, nothing saved, the error logged', async (t) => {
  const app = await buildApp(t, { maxDataBytes: 1024 }, (app) => {
    app.post('/big', async (request) => {
      ;(await request.sessionLoad()).set('blob', 'x'.repeat(2000))
      return { ok: true }
    })
    app.post('/bigint', async (request) => {
      ;(await request.sessionLoad()).set('n', 10n)
      return { ok: true }
    })
  })
  for (const url of ['/big', '/bigint']) {
    const response = await app.inject({ method: 'POST', url })
    t.equal(response.statusCode, 500, url)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.equal(response.json().code, 'RAMPART_CORE_INTERNAL_ERROR')
    t.same(setCookies(response), [])
  }
})

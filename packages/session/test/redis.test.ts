import Fastify from 'fastify'
import { Redis } from 'ioredis'
import t from 'tap'
import rampartSession, {
  RedisSessionStore,
  type RevokedEvent,
  revokedChannel,
  type SessionOptions,
  sessionHandle,
} from '../src/index.js'
import { buildApp, cookie, cookieValue, fakeClock, REDIS_URL, testRedis, uniquePrefix } from './fixtures/helpers.js'

t.test('sessions in Redis: keyed by the hash of the id, with a lifetime, and a user index', async (t) => {
  const prefix = uniquePrefix()
  const admin = testRedis(t, prefix)
  const app = await buildApp(t, { redis: REDIS_URL, prefix, idleTimeout: 600, absoluteTimeout: 3600 })
  const login = await app.inject({ method: 'POST', url: '/login/alice' })
  const id = cookieValue(login) as string
  const handle = sessionHandle(id)

  const keys = await admin.keys(`${prefix}:*`)
  t.same(keys.sort(), [`${prefix}:s:${handle}`, `${prefix}:u:alice`].sort())
  const dump = JSON.stringify(await admin.hgetall(`${prefix}:s:${handle}`)) + keys.join()
  t.notOk(dump.includes(id), 'a Redis dump holds no live session id')
  t.same(await admin.smembers(`${prefix}:u:alice`), [handle])
  const pttl = await admin.pttl(`${prefix}:s:${handle}`)
  t.ok(pttl > 600_000 && pttl <= 900_000, `the key expires after the idle timeout and a 5-minute grace (${pttl})`)
  const indexTtl = await admin.pttl(`${prefix}:u:alice`)
  t.ok(
    indexTtl > 3_500_000 && indexTtl <= 3_900_000,
    `the index lives as long as the longest session can (${indexTtl})`,
  )

  t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, 'alice')
  await app.inject({ method: 'POST', url: '/visit', headers: cookie(id) })
  t.same((await app.inject({ url: '/whoami', headers: cookie(id) })).json().data, { loggedInAt: 1, visited: true })

  await app.inject({ method: 'POST', url: '/logout', headers: cookie(id) })
  t.same(await admin.keys(`${prefix}:*`), [], 'logout deletes the session and empties the index')
})

t.test('revoke-all across two instances sharing one Redis', async (t) => {
  const prefix = uniquePrefix()
  testRedis(t, prefix)
  const options: SessionOptions = { redis: REDIS_URL, prefix }
  const one = await buildApp(t, options)
  const two = await buildApp(t, options)
  const events: RevokedEvent[] = []
  t.teardown(revokedChannel.subscribe((event) => events.push(event)))

  const laptop = cookieValue(await one.inject({ method: 'POST', url: '/login/alice' })) as string
  const phone = cookieValue(await two.inject({ method: 'POST', url: '/login/alice' })) as string
  const bob = cookieValue(await one.inject({ method: 'POST', url: '/login/bob' })) as string
  t.equal(
    (await two.inject({ url: '/whoami', headers: cookie(laptop) })).json().userId,
    'alice',
    'a session works on both',
  )
  t.equal((await one.inject({ url: '/whoami', headers: cookie(phone) })).json().userId, 'alice')
  t.equal((await one.rampartSession.list('alice')).length, 2)

  t.equal(await two.rampartSession.revokeAll('alice'), 2, 'instance two revokes both')
  for (const app of [one, two]) {
    for (const id of [laptop, phone]) {
      t.same((await app.inject({ url: '/whoami', headers: cookie(id) })).json(), {
        userId: null,
        data: {},
        isNew: true,
      })
    }
  }
  t.equal((await one.inject({ url: '/whoami', headers: cookie(bob) })).json().userId, 'bob')
  t.same(await one.rampartSession.list('alice'), [])
  t.same(
    events.map((event) => [event.reason, event.count]),
    [['revoke-all', 2]],
  )
})

t.test('a session revoked on another instance mid-request is not written back to Redis', async (t) => {
  const prefix = uniquePrefix()
  const admin = testRedis(t, prefix)
  const options: SessionOptions = { redis: REDIS_URL, prefix, touchInterval: 0 }
  const other = await buildApp(t, options)
  const app = await buildApp(t, options, (app) => {
    app.post('/slow-write', async (request) => {
      const session = await request.sessionLoad()
      await other.rampartSession.revokeAll('alice')
      session.set('late', true)
      return { ok: true }
    })
    app.get('/slow-read', async (request) => {
      await request.sessionLoad()
      await other.rampartSession.revokeAll('alice')
      return { ok: true }
    })
  })
  for (const url of ['/slow-write', '/slow-read']) {
    const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
    const method = url === '/slow-write' ? 'POST' : 'GET'
    t.equal((await app.inject({ method, url, headers: cookie(id) })).statusCode, 200, url)
    t.same(await admin.keys(`${prefix}:s:*`), [], `${url}: no session key came back (update or touch)`)
  }
})

t.test('list() drops index entries of sessions Redis expired', async (t) => {
  const prefix = uniquePrefix()
  const admin = testRedis(t, prefix)
  const app = await buildApp(t, { redis: REDIS_URL, prefix })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  await app.inject({ method: 'POST', url: '/login/alice' })
  await admin.del(`${prefix}:s:${sessionHandle(id)}`)
  t.equal((await app.rampartSession.list('alice')).length, 1)
  t.equal(await admin.scard(`${prefix}:u:alice`), 1)
})

t.test('a corrupted record in Redis is no session, never a 500', async (t) => {
  const prefix = uniquePrefix()
  const admin = testRedis(t, prefix)
  const clock = fakeClock()
  const app = await buildApp(t, { redis: REDIS_URL, prefix, now: clock.now })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  const key = `${prefix}:s:${sessionHandle(id)}`
  for (const [field, value] of [
    ['v', '{not json'],
    ['v', '[]'],
    ['v', JSON.stringify({ userId: 'alice', data: {}, createdAt: 'yesterday', absoluteExpiresAt: 1 })],
    ['l', 'NaN'],
  ] as const) {
    const original = await admin.hgetall(key)
    await admin.hset(key, field, value)
    const response = await app.inject({ url: '/whoami', headers: cookie(id) })
    t.equal(response.statusCode, 200, `${field}=${value}`)
    t.equal(response.json().userId, null)
    await admin.hset(key, original)
  }
  t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId, 'alice', 'restored: valid again')
})

t.test(
  'Redis unreachable: 503 problem+json RAMPART_SESSION_UNAVAILABLE on routes that need the session, never a 500',
  async (t) => {
    const app = await buildApp(
      t,
      { redis: { url: 'redis://127.0.0.1:1', commandTimeout: 100 } },
      (app) => {
        app.get('/early', { config: { rampart: { session: true } } }, async () => ({ ok: true }))
      },
      { problemReplies: true },
    )
    const id = 'A'.repeat(43)
    for (const [method, url] of [
      ['GET', '/whoami'],
      ['GET', '/early'],
    ] as const) {
      const response = await app.inject({ method, url, headers: cookie(id) })
      t.equal(response.statusCode, 503, url)
      t.match(response.headers['content-type'], /^application\/problem\+json/, url)
      t.equal(response.json().code, 'RAMPART_SESSION_UNAVAILABLE', url)
      t.equal(response.headers['retry-after'], '1', url)
    }
    const save = await app.inject({ method: 'POST', url: '/visit' })
    t.equal(save.statusCode, 503, 'a new session that cannot be saved: 503 from onSend')
    t.equal(save.json().code, 'RAMPART_SESSION_UNAVAILABLE')
    t.equal(save.headers['set-cookie'], undefined, 'and no cookie for a session that does not exist')
    t.equal((await app.inject({ method: 'POST', url: '/login/alice' })).statusCode, 503)
    t.equal((await app.inject('/public')).statusCode, 200, 'routes that do not use the session are unaffected')
    t.equal((await app.inject({ url: '/public', headers: cookie(id) })).statusCode, 200, 'even with the cookie')
    t.equal((await app.inject('/whoami')).statusCode, 200, 'no cookie: nothing to read, an empty session')
  },
)

t.test('Redis unreachable without problemRepliesPlugin: still 503, never a 500', async (t) => {
  const app = await buildApp(t, { redis: { url: 'redis://127.0.0.1:1', commandTimeout: 100 } })
  const response = await app.inject({ url: '/whoami', headers: cookie('A'.repeat(43)) })
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'RAMPART_SESSION_UNAVAILABLE')
})

t.test('Redis failing to record activity does not fail the request', async (t) => {
  const prefix = uniquePrefix()
  testRedis(t, prefix)
  const clock = fakeClock()
  const store = new RedisSessionStore({ redis: REDIS_URL, prefix })
  t.teardown(() => store.close())
  let failTouch = false
  const flaky = {
    get: (handle: string) => store.get(handle),
    create: (...args: Parameters<RedisSessionStore['create']>) => store.create(...args),
    update: (...args: Parameters<RedisSessionStore['update']>) => store.update(...args),
    touch: (...args: Parameters<RedisSessionStore['touch']>) =>
      failTouch ? Promise.reject(new Error('READONLY')) : store.touch(...args),
    delete: (handle: string) => store.delete(handle),
    list: (userId: string) => store.list(userId),
    deleteAll: (userId: string, except?: string) => store.deleteAll(userId, except),
  }
  const app = await buildApp(t, { store: flaky, now: clock.now, touchInterval: 1 })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  clock.advance(5000)
  failTouch = true
  const response = await app.inject({ url: '/whoami', headers: cookie(id) })
  t.equal(response.statusCode, 200)
  t.equal(response.json().userId, 'alice')
})

t.test('the store uses the client you give and leaves it open; the health check pings it', async (t) => {
  const prefix = uniquePrefix()
  testRedis(t, prefix)
  const client = new Redis(REDIS_URL)
  t.teardown(() => client.quit())
  const app = Fastify()
  await app.register(rampartSession, { redis: client, prefix })
  const { healthChecks } = await import('@rampart/core')
  const check = healthChecks(app).get('session:redis')
  t.ok(check)
  t.same(await check?.(), { status: 'healthy' })
  await app.close()
  t.equal(await client.ping(), 'PONG', 'still open after close')
})

t.test('scripts are reloaded after SCRIPT FLUSH', async (t) => {
  const prefix = uniquePrefix()
  const admin = testRedis(t, prefix)
  const clock = fakeClock()
  const app = await buildApp(t, { redis: REDIS_URL, prefix, now: clock.now, touchInterval: 1 })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  await admin.script('FLUSH')
  clock.advance(2000)
  await app.inject({ method: 'POST', url: '/visit', headers: cookie(id) })
  t.same((await app.inject({ url: '/whoami', headers: cookie(id) })).json().data, { loggedInAt: 1, visited: true })
})

t.test('RedisSessionStore checks its options', async (t) => {
  t.throws(() => new RedisSessionStore(null as never), { code: 'RAMPART_SESSION_INVALID_ARGUMENT' })
  t.throws(() => new RedisSessionStore({ redis: REDIS_URL, prefix: 'bad prefix' }), {
    code: 'RAMPART_SESSION_INVALID_ARGUMENT',
  })
  t.throws(() => new RedisSessionStore({ redis: 'http://x' }), { code: 'RAMPART_SESSION_INVALID_OPTION' })
})

import t from 'tap'
import { type ExpiredEvent, expiredChannel, MemorySessionStore, type StoredSession } from '../src/index.js'
import { fakeClock } from './fixtures/helpers.js'

function record(userId: string | null, now: number, data: Record<string, unknown> = {}): StoredSession {
  return {
    userId,
    data,
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt: now + 3_600_000,
    userAgentHash: null,
    rotatedFrom: null,
  }
}

const handle = (n: number) => n.toString(16).padStart(64, '0')

t.test('bounded: anonymous sessions are evicted first, then the least recently written, with an event', async (t) => {
  const clock = fakeClock()
  const store = new MemorySessionStore({ maxSessions: 3, now: clock.now })
  const evicted: ExpiredEvent[] = []
  t.teardown(expiredChannel.subscribe((event) => evicted.push(event)))
  store.create(handle(1), record('alice', clock.now()), 60_000)
  store.create(handle(2), record('bob', clock.now()), 60_000)
  store.create(handle(3), record(null, clock.now()), 60_000)
  store.create(handle(4), record('carol', clock.now()), 60_000)
  t.equal(store.size, 3)
  t.equal(store.get(handle(3)), null, 'the anonymous one went, although the most recent')
  t.ok(store.get(handle(1)) && store.get(handle(2)))

  t.ok(store.touch(handle(1), clock.now(), 60_000), 'alice is active again')
  store.create(handle(5), record('dave', clock.now()), 60_000)
  t.equal(store.get(handle(2)), null, 'no anonymous session left: the least recently written logged-in one went')
  t.ok(store.get(handle(1)))
  t.same(
    evicted.map((event) => [event.reason, event.ref, event.userId]),
    [
      ['evicted', handle(3).slice(0, 16), undefined],
      ['evicted', handle(2).slice(0, 16), 'bob'],
    ],
  )
  t.same(store.list('bob'), [], 'eviction unindexes')
})

t.test('a flood of anonymous sessions does not log users out', async (t) => {
  const clock = fakeClock()
  const store = new MemorySessionStore({ maxSessions: 10, now: clock.now })
  store.create(handle(1), record('alice', clock.now()), 60_000)
  for (let n = 100; n < 1100; n++) store.create(handle(n), record(null, clock.now()), 60_000)
  t.equal(store.size, 10)
  t.ok(store.get(handle(1)), 'alice is still logged in')
})

t.test('expired entries are dropped, not counted against the bound', async (t) => {
  const clock = fakeClock()
  const store = new MemorySessionStore({ maxSessions: 2, now: clock.now })
  const evicted: ExpiredEvent[] = []
  t.teardown(expiredChannel.subscribe((event) => evicted.push(event)))
  store.create(handle(1), record('alice', clock.now()), 1000)
  store.create(handle(2), record('alice', clock.now()), 1000)
  clock.advance(1000)
  t.equal(store.get(handle(1)), null)
  t.equal(store.touch(handle(1), clock.now(), 1000), false)
  t.equal(store.update(handle(2), record('alice', clock.now()), 1000), false)
  store.create(handle(3), record('bob', clock.now()), 1000)
  store.create(handle(4), record('bob', clock.now()), 1000)
  t.equal(store.size, 2)
  t.same(evicted, [], 'nothing live was evicted')
  t.same(store.list('alice'), [])
  t.equal(store.deleteAll('alice'), 0)
})

t.test('stored data is a copy: changing the object given or returned changes nothing', async (t) => {
  const clock = fakeClock()
  const store = new MemorySessionStore({ now: clock.now })
  const data = { cart: ['a'] }
  store.create(handle(1), record('alice', clock.now(), data), 60_000)
  data.cart.push('b')
  const read = store.get(handle(1)) as StoredSession
  t.same(read.data, { cart: ['a'] })
  ;(read.data.cart as string[]).push('c')
  t.same(store.get(handle(1))?.data, { cart: ['a'] })
  t.same(store.delete(handle(1)), { userId: 'alice' })
  t.equal(store.delete(handle(1)), null)
  store.close()
  t.equal(store.size, 0)
})

t.test('options are checked', async (t) => {
  t.throws(() => new MemorySessionStore({ maxSessions: 0 }), { code: 'RAMPART_SESSION_INVALID_ARGUMENT' })
  t.throws(() => new MemorySessionStore({ maxSessions: 1.5 }), { code: 'RAMPART_SESSION_INVALID_ARGUMENT' })
})

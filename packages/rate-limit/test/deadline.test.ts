import { Redis } from 'ioredis'
import t from 'tap'
import { DeadlineError, DeadlineQueue } from '../src/stores/deadline.js'
import { REDIS_URL } from './fixtures/redis.js'

// The queue's timers are unref'd (a store's socket keeps a real process alive): keep this one alive.
const keepAlive = setInterval(() => {}, 1000)
t.teardown(() => clearInterval(keepAlive))

const busy = (ms: number): void => {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // the process is busy; the peer is not
  }
}

t.test('a call answered in time resolves; one never answered rejects at its deadline', async (t) => {
  const deadlines = new DeadlineQueue(50)
  t.equal(await deadlines.race(new Promise((resolve) => setTimeout(resolve, 5, 'fast'))), 'fast')
  const started = performance.now()
  await t.rejects(deadlines.race(new Promise(() => {})), DeadlineError)
  const waited = performance.now() - started
  t.ok(waited >= 49 && waited < 2000, `rejected after ${waited.toFixed(0)} ms`)
})

t.test('a stall right after the call does not turn a reply waiting in the socket into a timeout', async (t) => {
  const redis = new Redis(REDIS_URL)
  t.teardown(() => redis.disconnect())
  await redis.ping()
  const deadlines = new DeadlineQueue(50)
  const outcomes: string[] = []
  for (let i = 0; i < 10; i++) {
    const raced = deadlines.race(redis.ping()).catch((error: Error) => error.name)
    busy(120) // Redis answers meanwhile; the deadline timer is due first when the loop resumes
    outcomes.push(await raced)
  }
  t.same(outcomes, Array(10).fill('PONG'))
})

t.test('stalls extend a deadline once, by at most a second', async (t) => {
  const deadlines = new DeadlineQueue(50)
  const started = performance.now()
  const never = deadlines.race(new Promise(() => {}))
  const stalls = setInterval(() => busy(60), 5)
  t.teardown(() => clearInterval(stalls))
  await t.rejects(never, DeadlineError)
  clearInterval(stalls)
  const waited = performance.now() - started
  // 50 ms of its own and 1 s given back at most, plus the stall under way (loose: a loaded machine).
  t.ok(waited < 3000, `rejected after ${waited.toFixed(0)} ms`)
})

t.test('clear() rejects every pending call at once', async (t) => {
  const deadlines = new DeadlineQueue(10_000)
  const pending = [deadlines.race(new Promise(() => {})), deadlines.race(new Promise(() => {}))]
  deadlines.clear()
  for (const call of pending) await t.rejects(call, DeadlineError)
})

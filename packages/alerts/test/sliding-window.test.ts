import fc from 'fast-check'
import t from 'tap'
import { SlidingWindowCounter } from '../src/index.js'

const BASE = Date.UTC(2025, 0, 1)

t.test('counts events within the window and forgets older ones', async (t) => {
  const window = new SlidingWindowCounter(60_000, 60)
  t.equal(window.count(BASE), 0)
  t.equal(window.firstSeen(BASE), undefined)
  t.equal(window.add(BASE), 1)
  t.equal(window.add(BASE + 500), 2)
  t.equal(window.add(BASE + 30_000), 3)
  t.equal(window.firstSeen(BASE + 30_000), BASE)
  t.equal(window.count(BASE + 59_999), 3, 'all three within 60 s')
  t.equal(window.count(BASE + 60_000), 1, 'the two of the first second are out at 60 s')
  t.equal(window.firstSeen(BASE + 60_000), BASE + 30_000)
  t.equal(window.count(BASE + 90_000), 0)
  t.equal(window.firstSeen(BASE + 90_000), undefined)
})

t.test('a jump longer than the window empties it; the ring is reused', async (t) => {
  const window = new SlidingWindowCounter(10_000, 10)
  for (let i = 0; i < 50; i++) window.add(BASE + i * 100)
  t.equal(window.count(BASE + 4_999), 50)
  t.equal(window.add(BASE + 10 * 86_400_000), 1)
  for (let second = 1; second <= 25; second++) window.add(BASE + 10 * 86_400_000 + second * 1000)
  t.equal(window.count(BASE + 10 * 86_400_000 + 25_000), 10, 'one per second, ten seconds of them')
})

t.test('a clock that steps back counts into the current bucket', async (t) => {
  const window = new SlidingWindowCounter(10_000, 10)
  window.add(BASE + 5000)
  t.equal(window.add(BASE + 1000), 2)
  t.equal(window.count(BASE + 5000), 2)
  t.equal(window.count(BASE + 15_000), 0)
})

t.test('memory does not grow with the events counted', async (t) => {
  const window = new SlidingWindowCounter(300_000, 60)
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < 1_000_000; i++) window.add(BASE + (i % 300_000))
  t.equal(window.count(BASE + 299_999), 1_000_000)
  t.ok(process.memoryUsage().heapUsed - before < 16 * 1024 * 1024, 'no per-event storage')
})

t.test(
  'property: never counts an event older than the window, never drops one younger than window - bucket',
  async (t) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 200 }),
        (buckets, bucketMs, gaps) => {
          const windowMs = buckets * bucketMs
          const window = new SlidingWindowCounter(windowMs, buckets)
          const times: number[] = []
          let now = BASE
          for (const gap of gaps) {
            now += gap % (windowMs * 2)
            times.push(now)
            const counted = window.add(now)
            const within = times.filter((time) => time > now - windowMs).length
            const surely = times.filter((time) => time > now - windowMs + bucketMs).length
            if (counted > within || counted < surely) return false
            const first = window.firstSeen(now)
            if (first === undefined || first <= now - windowMs) return false
          }
          return true
        },
      ),
      { numRuns: 300 },
    )
    t.pass('the property held')
  },
)

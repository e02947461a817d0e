import t from 'tap'
import { RollingWindow } from '../src/rolling-window.js'

t.test('counts requests and failures over the last window, bucket by bucket', async (t) => {
  const window = new RollingWindow(1000, 4) // 250 ms buckets
  window.record(0, true)
  window.record(100, false)
  window.record(300, true)
  window.tally(300)
  t.same([window.requests, window.failures], [3, 2])
  window.tally(999)
  t.same([window.requests, window.failures], [3, 2], 'all still in the window')
  window.tally(1000)
  t.same([window.requests, window.failures], [1, 1], 'the first bucket (0-249 ms) dropped out')
  window.tally(1250)
  t.same([window.requests, window.failures], [0, 0])
  window.record(1250, false)
  window.tally(1250)
  t.same([window.requests, window.failures], [1, 0], 'a reused slot starts from zero')
})

t.test('works for any clock value, negative ones included', async (t) => {
  const window = new RollingWindow(60_000, 10)
  for (const now of [-30_000, -1, 0, 1]) window.record(now, true)
  window.tally(1)
  t.same([window.requests, window.failures], [4, 4])
  window.tally(60_000 + 6_000)
  t.same([window.requests, window.failures], [0, 0])
})

t.test('reset forgets everything', async (t) => {
  const window = new RollingWindow(1000, 10)
  window.record(5, true)
  window.reset()
  window.tally(5)
  t.same([window.requests, window.failures], [0, 0])
})

t.test('a long quiet period never resurrects old buckets', async (t) => {
  const window = new RollingWindow(1000, 10)
  window.record(0, true)
  for (const later of [10_000, 10_050, 1_000_000]) {
    window.tally(later)
    t.same([window.requests, window.failures], [0, 0], `at ${later}`)
  }
})

import t from 'tap'
import { parseRetryAfter, sleep } from '../src/backoff.js'
import { retryDelay } from '../src/index.js'

t.test('exponential, capped, with 50-100 % jitter', async (t) => {
  const low = () => 0
  const high = () => 1
  t.same(
    [0, 1, 2, 3].map((attempt) => retryDelay(attempt, 500, 30_000, undefined, low)),
    [250, 500, 1000, 2000],
  )
  t.same(
    [0, 1, 2, 3].map((attempt) => retryDelay(attempt, 500, 30_000, undefined, high)),
    [500, 1000, 2000, 4000],
  )
  t.equal(retryDelay(10, 500, 30_000, undefined, high), 30_000, 'capped')
  t.equal(retryDelay(40, 500, 30_000, undefined, low), 15_000)
  for (let i = 0; i < 100; i++) {
    const delay = retryDelay(2, 100, 30_000, undefined)
    t.ok(delay >= 200 && delay <= 400)
  }
})

t.test('Retry-After raises the delay, within maxBackoffMs', async (t) => {
  t.equal(
    retryDelay(0, 100, 30_000, 5000, () => 1),
    5000,
  )
  t.equal(
    retryDelay(0, 100, 30_000, 120_000, () => 1),
    30_000,
  )
  t.equal(
    retryDelay(3, 1000, 30_000, 10, () => 1),
    8000,
    'never shortens it',
  )
})

t.test('parseRetryAfter: seconds or an HTTP date', async (t) => {
  const now = Date.UTC(2025, 0, 1)
  t.equal(parseRetryAfter(null, now), undefined)
  t.equal(parseRetryAfter('120', now), 120_000)
  t.equal(parseRetryAfter(' 3 ', now), 3000)
  t.equal(parseRetryAfter(new Date(now + 7000).toUTCString(), now), 7000)
  t.equal(parseRetryAfter(new Date(now - 7000).toUTCString(), now), 0)
  t.equal(parseRetryAfter('soon', now), undefined)
  t.equal(parseRetryAfter('-5', now), undefined)
})

t.test('sleep resolves early when aborted', async (t) => {
  const controller = new AbortController()
  const slept = sleep(60_000, controller.signal)
  controller.abort()
  await slept
  await sleep(60_000, controller.signal)
  t.pass('did not wait a minute')
})

import { type Algorithm, EPSILON, type Evaluation, refuseForever, type Usage } from './algorithm.js'

// State: [windowStart, previousCount, currentCount]. Windows are aligned on multiples of the
// window length; the estimate weights the previous window by the part of it still inside the
// sliding window: previous * (1 - elapsed / window) + current.

let windowStart = 0
let previous = 0
let current = 0

/** Reads the state as of `now` into the module scratch (no allocation, single-threaded). */
function load(state: Float64Array, offset: number, now: number, window: number): void {
  windowStart = now - (now % window)
  const start = state[offset] as number
  if (start === windowStart) {
    previous = state[offset + 1] as number
    current = state[offset + 2] as number
  } else if (start === windowStart - window) {
    previous = state[offset + 2] as number
    current = 0
  } else {
    previous = 0
    current = 0
  }
}

function estimateAt(time: number, start: number, prev: number, cur: number, window: number): number {
  const elapsed = time - start
  if (elapsed < window) return prev * (1 - elapsed / window) + cur
  if (elapsed < 2 * window) return cur * (1 - (elapsed - window) / window)
  return 0
}

/**
 * Milliseconds from `now` until the estimate falls to `target` or below. The estimate only falls
 * with time (linearly within a window, continuous across the boundary), so the first instant is
 * found by solving the line, then checked against rounding.
 */
function waitFor(now: number, start: number, prev: number, cur: number, window: number, target: number): number {
  if (target < -EPSILON) return Number.POSITIVE_INFINITY
  if (estimateAt(now, start, prev, cur, window) <= target + EPSILON) return 0
  const at =
    cur <= target + EPSILON ? start + (1 - (target - cur) / prev) * window : start + window * (2 - target / cur)
  let wait = Math.max(1, Math.ceil(at - now))
  while (estimateAt(now + wait, start, prev, cur, window) > target + EPSILON) wait++
  return wait
}

/**
 * Sliding-window counter (the default): two counters per client, O(1) memory. Admits a request
 * when the weighted estimate plus one stays within `capacity`.
 */
export const slidingWindow: Algorithm = {
  name: 'sliding-window',
  fields: () => 3,

  evaluate(state, offset, now, policy, admit, out: Evaluation): void {
    const capacity = policy.capacity
    if (capacity < 1) {
      refuseForever(policy, out)
      return
    }
    const window = policy.windowMs
    load(state, offset, now, window)
    const estimate = estimateAt(now, windowStart, previous, current, window)
    if (admit && estimate + 1 <= capacity + EPSILON) {
      out.allowed = true
      out.used = estimate + 1
      out.remaining = Math.max(0, Math.floor(capacity - out.used + EPSILON))
      out.retryAfterMs = 0
      out.resetMs =
        out.remaining >= capacity
          ? 0
          : waitFor(now, windowStart, previous, current + 1, window, capacity - out.remaining - 1)
      return
    }
    out.used = estimate
    out.remaining = Math.max(0, Math.floor(capacity - estimate + EPSILON))
    out.allowed = !admit && out.remaining >= 1
    out.resetMs =
      out.remaining >= capacity ? 0 : waitFor(now, windowStart, previous, current, window, capacity - out.remaining - 1)
    out.retryAfterMs = out.allowed ? 0 : out.resetMs
  },

  consume(state, offset, now, policy): void {
    load(state, offset, now, policy.windowMs)
    state[offset] = windowStart
    state[offset + 1] = previous
    state[offset + 2] = current + 1
  },

  idleAt(state, offset, policy): number {
    if ((state[offset + 2] as number) > 0) return (state[offset] as number) + 2 * policy.windowMs
    if ((state[offset + 1] as number) > 0) return (state[offset] as number) + policy.windowMs
    return 0
  },

  usage(state, offset, now, policy, out: Usage): void {
    load(state, offset, now, policy.windowMs)
    out.units = Math.max(0, Math.ceil(estimateAt(now, windowStart, previous, current, policy.windowMs) - EPSILON))
    out.at = now
  },

  replay(state, offset, units, at, policy): void {
    state[offset] = at - (at % policy.windowMs)
    state[offset + 1] = 0
    state[offset + 2] = units
  },
}

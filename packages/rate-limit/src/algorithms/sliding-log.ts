import { type Algorithm, type Evaluation, refuseForever, type Usage, waitMs } from './algorithm.js'

// State: [count, head, t0 .. t(capacity - 1)]: a ring of the arrival times of the admitted
// requests still inside the window, oldest at `head`. Exact, and O(capacity) memory per client:
// use it for small limits (login attempts), not for 1000 requests an hour.

/** Physical index of the `index`-th oldest entry. */
function slot(offset: number, head: number, index: number, capacity: number): number {
  return offset + 2 + ((head + index) % capacity)
}

/** Index (0..count) of the oldest entry still inside the window at `now`; entries are sorted. */
function firstLive(state: Float64Array, offset: number, now: number, window: number, capacity: number): number {
  const count = state[offset] as number
  const head = state[offset + 1] as number
  const cutoff = now - window
  let low = 0
  let high = count
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((state[slot(offset, head, middle, capacity)] as number) > cutoff) high = middle
    else low = middle + 1
  }
  return low
}

/** Sliding log: the exact count of requests in the last `window`, with their timestamps. */
export const slidingLog: Algorithm = {
  name: 'sliding-log',
  fields: (policy) => 2 + policy.capacity,

  evaluate(state, offset, now, policy, admit, out: Evaluation): void {
    const capacity = policy.capacity
    if (capacity < 1) {
      refuseForever(policy, out)
      return
    }
    const window = policy.windowMs
    const count = state[offset] as number
    const head = state[offset + 1] as number
    const first = firstLive(state, offset, now, window, capacity)
    const live = count - first
    const oldest = live > 0 ? (state[slot(offset, head, first, capacity)] as number) : now
    if (admit && live + 1 <= capacity) {
      out.allowed = true
      out.used = live + 1
      out.remaining = capacity - live - 1
      out.retryAfterMs = 0
      out.resetMs = waitMs(oldest + window - now)
      return
    }
    out.used = live
    out.remaining = capacity - live
    out.allowed = !admit && out.remaining >= 1
    out.resetMs = live === 0 ? 0 : waitMs(oldest + window - now)
    out.retryAfterMs = out.allowed ? 0 : Math.max(1, out.resetMs)
  },

  consume(state, offset, now, policy): void {
    const capacity = policy.capacity
    const first = firstLive(state, offset, now, policy.windowMs, capacity)
    const head = ((state[offset + 1] as number) + first) % capacity
    const count = (state[offset] as number) - first
    state[slot(offset, head, count, capacity)] = now
    state[offset] = count + 1
    state[offset + 1] = head
  },

  idleAt(state, offset, policy): number {
    const count = state[offset] as number
    if (count === 0) return 0
    const newest = state[slot(offset, state[offset + 1] as number, count - 1, policy.capacity)] as number
    return newest + policy.windowMs
  },

  usage(state, offset, now, policy, out: Usage): void {
    const count = state[offset] as number
    const live = count - firstLive(state, offset, now, policy.windowMs, policy.capacity)
    out.units = live
    out.at = live > 0 ? (state[slot(offset, state[offset + 1] as number, count - 1, policy.capacity)] as number) : now
  },

  replay(state, offset, units, at, policy): void {
    const count = Math.min(units, policy.capacity)
    state[offset] = count
    state[offset + 1] = 0
    for (let i = 0; i < count; i++) state[offset + 2 + i] = at
  },
}

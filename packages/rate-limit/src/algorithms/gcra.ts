import { type Algorithm, type Evaluation, refuseForever, TIME_EPSILON, type Usage, waitMs } from './algorithm.js'

// State: [theoreticalArrivalTime]. The generic cell rate algorithm: each admitted request pushes
// the TAT one emission interval T = window / limit into the future; a request is admitted while
// the TAT is at most tau = (capacity - 1) * T ahead of now. One number per client. Instants are
// compared with a 1 microsecond tolerance (see TIME_EPSILON).

/** Whole requests still admissible when the TAT is `ahead` ms in the future (clamped to 0..capacity). */
function remainingFor(ahead: number, interval: number, tolerance: number, capacity: number): number {
  const remaining = Math.floor((tolerance - ahead + TIME_EPSILON) / interval) + 1
  return remaining < 0 ? 0 : Math.min(remaining, capacity)
}

/** Milliseconds until `remaining` grows, for a TAT `ahead` ms in the future. */
function resetFor(ahead: number, remaining: number, interval: number, tolerance: number, capacity: number): number {
  return remaining >= capacity ? 0 : waitMs(ahead - tolerance + remaining * interval - TIME_EPSILON)
}

/**
 * GCRA (virtual scheduling): a burst of up to `capacity` requests, then one request every
 * `window / limit`. Equivalent to a token bucket, with a single timestamp of state.
 */
export const gcra: Algorithm = {
  name: 'gcra',
  fields: () => 1,

  evaluate(state, offset, now, policy, admit, out: Evaluation): void {
    const capacity = policy.capacity
    if (capacity < 1 || policy.limit < 1) {
      refuseForever(policy, out)
      return
    }
    const interval = policy.windowMs / policy.limit
    const tolerance = (capacity - 1) * interval
    const ahead = Math.max(0, (state[offset] as number) - now)
    if (admit && ahead <= tolerance + TIME_EPSILON) {
      const next = ahead + interval
      out.allowed = true
      out.used = next / interval
      out.remaining = remainingFor(next, interval, tolerance, capacity)
      out.retryAfterMs = 0
      out.resetMs = resetFor(next, out.remaining, interval, tolerance, capacity)
      return
    }
    out.used = ahead / interval
    out.remaining = remainingFor(ahead, interval, tolerance, capacity)
    out.allowed = !admit && out.remaining >= 1
    out.resetMs = resetFor(ahead, out.remaining, interval, tolerance, capacity)
    out.retryAfterMs = out.allowed ? 0 : Math.max(1, waitMs(ahead - tolerance - TIME_EPSILON))
  },

  consume(state, offset, now, policy): void {
    state[offset] = Math.max(state[offset] as number, now) + policy.windowMs / policy.limit
  },

  idleAt(state, offset): number {
    return state[offset] as number
  },

  usage(state, offset, now, policy, out: Usage): void {
    const ahead = (state[offset] as number) - now
    out.units =
      ahead > TIME_EPSILON && policy.limit >= 1
        ? Math.ceil(((ahead - TIME_EPSILON) * policy.limit) / policy.windowMs)
        : 0
    out.at = now
  },

  replay(state, offset, units, at, policy): void {
    state[offset] = units > 0 ? at + (units * policy.windowMs) / policy.limit : 0
  },
}

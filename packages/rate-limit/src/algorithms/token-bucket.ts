import {
  type Algorithm,
  EPSILON,
  type Evaluation,
  refuseForever,
  TIME_EPSILON,
  type Usage,
  waitMs,
} from './algorithm.js'

// State: [missingTokens, lastUpdate]. A bucket of `capacity` tokens refilled continuously at
// `limit` per window; a request takes one token. Stored as the tokens missing from a full bucket
// so that all zeros is a full (fresh) bucket. Token counts are compared with the tolerance of one
// microsecond of refill (see TIME_EPSILON).

function missingAt(state: Float64Array, offset: number, now: number, rate: number): number {
  const missing = (state[offset] as number) - (now - (state[offset + 1] as number)) * rate
  return Math.max(missing, 0)
}

/** Milliseconds until the missing tokens fall from `missing` to `target`. */
function refillMs(missing: number, target: number, rate: number): number {
  return waitMs((missing - target) / rate - TIME_EPSILON)
}

/** Token bucket: bursts of up to `capacity`, refilled at `limit / window` per millisecond. */
export const tokenBucket: Algorithm = {
  name: 'token-bucket',
  fields: () => 2,

  evaluate(state, offset, now, policy, admit, out: Evaluation): void {
    const capacity = policy.capacity
    if (capacity < 1 || policy.limit < 1) {
      refuseForever(policy, out)
      return
    }
    const rate = policy.limit / policy.windowMs
    const slack = EPSILON + TIME_EPSILON * rate
    const missing = missingAt(state, offset, now, rate)
    if (admit && missing + 1 <= capacity + slack) {
      out.allowed = true
      out.used = missing + 1
      out.remaining = Math.max(0, Math.floor(capacity - out.used + slack))
      out.retryAfterMs = 0
      out.resetMs = out.remaining >= capacity ? 0 : refillMs(out.used, capacity - out.remaining - 1, rate)
      return
    }
    out.used = missing
    out.remaining = Math.max(0, Math.floor(capacity - missing + slack))
    out.allowed = !admit && out.remaining >= 1
    out.resetMs = out.remaining >= capacity ? 0 : refillMs(missing, capacity - out.remaining - 1, rate)
    out.retryAfterMs = out.allowed ? 0 : Math.max(1, refillMs(missing, capacity - 1, rate))
  },

  consume(state, offset, now, policy): void {
    state[offset] = missingAt(state, offset, now, policy.limit / policy.windowMs) + 1
    state[offset + 1] = now
  },

  idleAt(state, offset, policy): number {
    const missing = state[offset] as number
    return missing > 0 ? (state[offset + 1] as number) + (missing * policy.windowMs) / policy.limit : 0
  },

  usage(state, offset, now, policy, out: Usage): void {
    const rate = policy.limit / policy.windowMs
    const missing = policy.limit >= 1 ? missingAt(state, offset, now, rate) : 0
    out.units = missing > TIME_EPSILON * rate ? Math.ceil(missing - TIME_EPSILON * rate) : 0
    out.at = now
  },

  replay(state, offset, units, at): void {
    state[offset] = units
    state[offset + 1] = at
  },
}

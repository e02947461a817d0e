import { type Algorithm, type Evaluation, refuseForever, type Usage } from './algorithm.js'

// State: [windowStart, count]. Windows are aligned on multiples of the window length.

function countAt(state: Float64Array, offset: number, windowStart: number): number {
  return state[offset] === windowStart ? (state[offset + 1] as number) : 0
}

/**
 * Fixed window: one counter per aligned window, reset at the boundary. The cheapest algorithm, and
 * the least smooth: a client can spend one window's quota at its end and the next window's at the
 * start of that one.
 */
export const fixedWindow: Algorithm = {
  name: 'fixed-window',
  fields: () => 2,

  evaluate(state, offset, now, policy, admit, out: Evaluation): void {
    const capacity = policy.capacity
    if (capacity < 1) {
      refuseForever(policy, out)
      return
    }
    const windowStart = now - (now % policy.windowMs)
    const count = countAt(state, offset, windowStart)
    const untilNextWindow = windowStart + policy.windowMs - now
    if (admit && count + 1 <= capacity) {
      out.allowed = true
      out.used = count + 1
      out.remaining = capacity - count - 1
      out.retryAfterMs = 0
      out.resetMs = untilNextWindow
      return
    }
    out.used = count
    out.remaining = Math.max(0, capacity - count)
    out.allowed = !admit && out.remaining >= 1
    out.resetMs = count === 0 ? 0 : untilNextWindow
    out.retryAfterMs = out.allowed ? 0 : untilNextWindow
  },

  consume(state, offset, now, policy): void {
    const windowStart = now - (now % policy.windowMs)
    const count = countAt(state, offset, windowStart)
    state[offset] = windowStart
    state[offset + 1] = count + 1
  },

  idleAt(state, offset, policy): number {
    return (state[offset + 1] as number) > 0 ? (state[offset] as number) + policy.windowMs : 0
  },

  usage(state, offset, now, policy, out: Usage): void {
    out.units = countAt(state, offset, now - (now % policy.windowMs))
    out.at = now
  },

  replay(state, offset, units, at, policy): void {
    state[offset] = at - (at % policy.windowMs)
    state[offset + 1] = units
  },
}

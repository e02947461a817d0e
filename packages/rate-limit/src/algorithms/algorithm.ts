/** The algorithms a policy can use. */
export type AlgorithmName = 'sliding-window' | 'gcra' | 'token-bucket' | 'fixed-window' | 'sliding-log'

export const ALGORITHM_NAMES: readonly AlgorithmName[] = Object.freeze([
  'sliding-window',
  'gcra',
  'token-bucket',
  'fixed-window',
  'sliding-log',
])

/** The numbers of one policy an algorithm needs. */
export interface PolicyParameters {
  /** Requests admitted per window on average (the refill rate of GCRA and the token bucket). */
  readonly limit: number
  /** Requests admitted at most in one go: `limit + burst`. */
  readonly capacity: number
  /** The window, in milliseconds. */
  readonly windowMs: number
}

/** The result of evaluating one policy for one client at one instant. Filled in place (no allocation). */
export interface Evaluation {
  /** The policy admits the request (or, for a view, would admit one now). */
  allowed: boolean
  /** Whole requests still admissible after this one (or now, for a view). */
  remaining: number
  /** Milliseconds until `remaining` grows (0 when the quota is full). */
  resetMs: number
  /** Milliseconds until a request would be admitted (0 when allowed). */
  retryAfterMs: number
  /** Units in use after this request (or now, for a view); compared with the near-limit threshold. */
  used: number
}

/** `units` requests, none of them older than `at`: the summary an evicted client leaves behind. */
export interface Usage {
  units: number
  at: number
}

/**
 * One rate-limiting algorithm over a fixed-size slice of a `Float64Array` (its state for one client
 * and one policy). All zeros is a fresh client. Every function is pure apart from `consume` and
 * `replay`, which write the state; none allocates.
 */
export interface Algorithm {
  readonly name: AlgorithmName
  /** Number of state fields per client for this policy. */
  fields(policy: PolicyParameters): number
  /**
   * With `admit`: would one more request be admitted at `now`, and what would be left. Without:
   * the state as it stands at `now` (used for policies left unconsumed because another refused).
   * Never writes the state.
   */
  evaluate(
    state: Float64Array,
    offset: number,
    now: number,
    policy: PolicyParameters,
    admit: boolean,
    out: Evaluation,
  ): void
  /** Records one admitted request at `now` (only after `evaluate` admitted it). */
  consume(state: Float64Array, offset: number, now: number, policy: PolicyParameters): void
  /** The instant from which the state is equivalent to a fresh one (0 if it already is). */
  idleAt(state: Float64Array, offset: number, policy: PolicyParameters): number
  /**
   * Summarises the state at `now` as `units` requests at `at`, such that replaying that summary
   * into a fresh state never admits more than the original state would, at any later time.
   */
  usage(state: Float64Array, offset: number, now: number, policy: PolicyParameters, out: Usage): void
  /** Writes into a fresh (zeroed) state the state of `units` requests made at `at`. */
  replay(state: Float64Array, offset: number, units: number, at: number, policy: PolicyParameters): void
}

/** Tolerance for floating-point comparisons of request counts. */
export const EPSILON = 1e-9

/**
 * Tolerance for comparisons of instants, in milliseconds (1 microsecond): epoch milliseconds are
 * near 2^41, where a double's resolution is about 0.25 microseconds, and sums of fractional
 * emission intervals round at that scale.
 */
export const TIME_EPSILON = 1e-3

/** A refusal that no amount of waiting lifts (a limit of 0): report one window. */
export function refuseForever(policy: PolicyParameters, out: Evaluation): void {
  out.allowed = false
  out.remaining = 0
  out.used = 0
  out.retryAfterMs = policy.windowMs
  out.resetMs = policy.windowMs
}

/** Whole milliseconds to wait for `delta` (never negative; a positive wait is at least 1 ms). */
export function waitMs(delta: number): number {
  return delta <= 0 ? 0 : Math.ceil(delta)
}

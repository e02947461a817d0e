import type { CircuitBreaker } from './circuit-breaker.js'

/** How a request admitted by a breaker ended. */
export const SUCCEEDED = 0
export const FAILED = 1
/** Ended without an outcome (the client went away in time): only frees a probe slot. */
export const NO_OUTCOME = 2
export type Outcome = typeof SUCCEEDED | typeof FAILED | typeof NO_OUTCOME

/**
 * What the breaker needs to know about one admitted request, kept on the request from `onRequest`
 * until its outcome is recorded, exactly once, by whichever of `onResponse`, the timeout,
 * `onTimeout` or the client's disconnect comes first.
 */
export class Ticket {
  readonly breaker: CircuitBreaker
  readonly generation: number
  /** Holds one of the half-open probe slots. */
  readonly probe: boolean
  readonly startedAt: number
  /** The route's handler was reached; a response sent before it (another plugin's refusal) is no outcome. */
  reachedHandler = true
  /** The error thrown on the way, if any (seen in `onError`). */
  error: Error | undefined = undefined
  settled = false
  /** `abortOnTimeout`'s timer. */
  timer: NodeJS.Timeout | null = null
  /** `abortOnTimeout` answered 503: the handler's late result must be dropped. */
  timedOut = false
  /** `abortOnTimeout`'s timer fired while the response was already under way: a timeout when it ends. */
  overdue = false

  constructor(breaker: CircuitBreaker, probe: boolean, startedAt: number) {
    this.breaker = breaker
    this.generation = breaker.generation
    this.probe = probe
    this.startedAt = startedAt
  }

  /** Whether the request has run longer than its route's `timeout`. */
  overTime(now: number): boolean {
    const timeout = this.breaker.settings.timeout
    return this.overdue || (timeout !== false && now - this.startedAt > timeout)
  }

  /** Records the outcome once; later calls do nothing. */
  settle(outcome: Outcome, now: number): void {
    if (this.settled) return
    this.settled = true
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    if (outcome === FAILED) this.breaker.fail(this.generation, this.probe, now)
    else if (outcome === SUCCEEDED) this.breaker.succeed(this.generation, this.probe, this.startedAt, now)
    else this.breaker.release(this.generation, this.probe, this.startedAt)
  }
}

/** `closed`: calls go to the store. `open`: they do not. `half-open`: one probe call at a time. */
export type BreakerState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
  /** Consecutive failed calls (errors, timeouts, no connection) that open the breaker. */
  readonly failures: number
  /** How long the breaker stays open before it lets one probe through (ms). */
  readonly cooldownMs: number
  readonly now: () => number
  /** Called on every change of state, after it happened. */
  readonly onChange: (state: BreakerState, previous: BreakerState, reason: string, failures: number) => void
}

/**
 * A circuit breaker without timers: it moves from `open` to `half-open` when a call is attempted
 * after the cooldown, lets that one call probe the store, and closes on its success or opens again
 * on its failure. Single-threaded, so no locking.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions
  #state: BreakerState = 'closed'
  /** Consecutive failures (reset by any success). */
  #failures = 0
  #openedAt = 0
  #probing = false

  constructor(options: CircuitBreakerOptions) {
    this.#options = options
  }

  get state(): BreakerState {
    return this.#state
  }

  /** Consecutive failures so far. */
  get failures(): number {
    return this.#failures
  }

  /** May a call go to the store now? In `half-open`, only one call (the probe) at a time. */
  acquire(): boolean {
    if (this.#state === 'closed') return true
    if (this.#state === 'open') {
      if (this.#options.now() - this.#openedAt < this.#options.cooldownMs) return false
      this.#probing = true
      this.#move('half-open', 'cooldown elapsed: probing the store')
      return true
    }
    if (this.#probing) return false
    this.#probing = true
    return true
  }

  /** A call succeeded: the store answers. */
  success(): void {
    this.#failures = 0
    this.#probing = false
    if (this.#state !== 'closed') this.#move('closed', 'the store answered')
  }

  /** A call failed (`reason`: what happened). */
  failure(reason: string): void {
    this.#failures++
    this.#probing = false
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= this.#options.failures)) {
      this.#openedAt = this.#options.now()
      this.#move('open', reason)
    } else if (this.#state === 'open') {
      // A call started before the breaker opened failed late: keep the breaker open from now.
      this.#openedAt = this.#options.now()
    }
  }

  /** Milliseconds until the next probe may be attempted (0 unless open). */
  retryAfterMs(): number {
    if (this.#state !== 'open') return 0
    return Math.max(0, this.#openedAt + this.#options.cooldownMs - this.#options.now())
  }

  #move(state: BreakerState, reason: string): void {
    const previous = this.#state
    this.#state = state
    this.#options.onChange(state, previous, reason, this.#failures)
  }
}

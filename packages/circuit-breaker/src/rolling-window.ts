/**
 * Requests and failures over the last `window` ms, counted in `buckets` equal buckets: a ring of
 * counters indexed by `floor(now / bucketMs)`, where a bucket older than the window is ignored and
 * reused. Fixed memory per breaker; no timers.
 */
export class RollingWindow {
  /** Requests in the window after the last `tally`. */
  requests = 0
  /** Failures in the window after the last `tally`. */
  failures = 0
  readonly #bucketMs: number
  readonly #size: number
  readonly #epochs: Float64Array
  readonly #requests: Uint32Array
  readonly #failures: Uint32Array

  constructor(window: number, buckets: number) {
    this.#bucketMs = window / buckets
    this.#size = buckets
    this.#epochs = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY)
    this.#requests = new Uint32Array(buckets)
    this.#failures = new Uint32Array(buckets)
  }

  /** Counts one finished request at `now`. */
  record(now: number, failed: boolean): void {
    const epoch = Math.floor(now / this.#bucketMs)
    const slot = ((epoch % this.#size) + this.#size) % this.#size
    if (this.#epochs[slot] !== epoch) {
      this.#epochs[slot] = epoch
      this.#requests[slot] = 0
      this.#failures[slot] = 0
    }
    this.#requests[slot] = (this.#requests[slot] as number) + 1
    if (failed) this.#failures[slot] = (this.#failures[slot] as number) + 1
  }

  /** Sums the buckets still inside the window at `now` into `requests` and `failures`. */
  tally(now: number): void {
    const oldest = Math.floor(now / this.#bucketMs) - this.#size
    let requests = 0
    let failures = 0
    for (let slot = 0; slot < this.#size; slot++) {
      if ((this.#epochs[slot] as number) > oldest) {
        requests += this.#requests[slot] as number
        failures += this.#failures[slot] as number
      }
    }
    this.requests = requests
    this.failures = failures
  }

  /** Forgets everything (the circuit opened or closed: a new period starts). */
  reset(): void {
    this.#epochs.fill(Number.NEGATIVE_INFINITY)
    this.requests = 0
    this.failures = 0
  }
}

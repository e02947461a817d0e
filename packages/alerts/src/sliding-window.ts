/**
 * Counts events over a sliding time window in constant memory: a ring of `buckets` time buckets,
 * each `windowMs / buckets` wide, and a running total. An event leaves the count when its bucket
 * falls out of the ring: never later than `windowMs` after it happened, and at most one bucket
 * earlier. A clock that steps back counts into the current bucket.
 */
export class SlidingWindowCounter {
  readonly windowMs: number
  readonly #bucketMs: number
  readonly #counts: Uint32Array
  /** The time of the first event of each bucket (for `firstSeen`). */
  readonly #first: Float64Array
  /** Absolute number of the current bucket (`floor(now / bucketMs)`). */
  #current = Number.NEGATIVE_INFINITY
  #total = 0

  constructor(windowMs: number, buckets: number) {
    this.windowMs = windowMs
    this.#bucketMs = windowMs / buckets
    this.#counts = new Uint32Array(buckets)
    this.#first = new Float64Array(buckets)
  }

  /** Counts one event at `now`; returns the events now in the window. */
  add(now: number): number {
    const slot = this.#advance(now)
    if (this.#counts[slot] === 0) this.#first[slot] = now
    this.#counts[slot]! += 1
    return ++this.#total
  }

  /** Events in the window ending at `now`. */
  count(now: number): number {
    this.#advance(now)
    return this.#total
  }

  /** Time of the oldest event still in the window ending at `now`, or `undefined` when it is empty. */
  firstSeen(now: number): number | undefined {
    const current = this.#advance(now)
    const size = this.#counts.length
    for (let step = 1; step <= size; step++) {
      const slot = (current + step) % size
      if (this.#counts[slot] !== 0) return this.#first[slot]
    }
    return undefined
  }

  /** Moves the window to `now`, emptying the buckets that fell out; returns the current slot. */
  #advance(now: number): number {
    const size = this.#counts.length
    const bucket = Math.floor(now / this.#bucketMs)
    if (bucket > this.#current) {
      if (bucket - this.#current >= size) {
        this.#counts.fill(0)
        this.#total = 0
      } else {
        for (let next = this.#current + 1; next <= bucket; next++) {
          const slot = ((next % size) + size) % size
          this.#total -= this.#counts[slot]!
          this.#counts[slot] = 0
        }
      }
      this.#current = bucket
    }
    return ((this.#current % size) + size) % size
  }
}

/** What `InFlightCounter.acquire` did. */
export const ACQUIRED = 1
export const REFUSED = 0
/** The table is full of other clients' requests: this one is admitted without a slot. */
export const UNTRACKED = -1

export type AcquireResult = typeof ACQUIRED | typeof REFUSED | typeof UNTRACKED

/**
 * Requests in progress per client. An entry exists only while its client has a request in
 * progress (it is deleted when the count returns to zero), so the map is bounded by the requests
 * in progress, and by `maxClients`: beyond that many distinct clients at once, a new client's
 * request is admitted untracked rather than refused (load shedding is the answer to that many).
 */
export class InFlightCounter {
  readonly #counts = new Map<string, number>()
  readonly #maxClients: number
  #total = 0

  constructor(maxClients: number) {
    this.#maxClients = maxClients
  }

  /** Clients with a request in progress. */
  get clients(): number {
    return this.#counts.size
  }

  /** Tracked requests in progress, all clients together. */
  get requests(): number {
    return this.#total
  }

  /** Requests in progress of one client. */
  of(client: string): number {
    return this.#counts.get(client) ?? 0
  }

  /** Takes a slot for `client` unless it already has `max` requests in progress. */
  acquire(client: string, max: number): AcquireResult {
    const count = this.#counts.get(client)
    if (count === undefined) {
      if (this.#counts.size >= this.#maxClients) return UNTRACKED
      this.#counts.set(client, 1)
    } else {
      if (count >= max) return REFUSED
      this.#counts.set(client, count + 1)
    }
    this.#total++
    return ACQUIRED
  }

  /** Gives back one slot of `client`. */
  release(client: string): void {
    const count = this.#counts.get(client)
    if (count === undefined) return
    if (count <= 1) this.#counts.delete(client)
    else this.#counts.set(client, count - 1)
    this.#total--
  }
}

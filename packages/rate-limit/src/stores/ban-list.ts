import type { BanRule } from '../policy.js'

interface BanEntry {
  /** Strikes in the current strike window. */
  strikes: number
  /** End of the strike window opened by the first strike. */
  windowEnd: number
  /** The client is banned until this instant (0: not banned). */
  until: number
}

/** At most this many stale entries are released per strike: expiry is incremental, never a sweep. */
const EXPIRE_PER_STRIKE = 2

/**
 * The bans of one policy set in the memory store: strikes and ban ends per client, in a `Map`
 * bounded by `maxClients` (the least recently struck client goes first when it is full). Losing
 * an entry only ends a ban early; the policies' own counts are untouched, so no quota is reset.
 */
export class BanList {
  readonly #entries = new Map<string, BanEntry>()
  readonly #maxClients: number

  constructor(maxClients: number) {
    this.#maxClients = maxClients
  }

  get size(): number {
    return this.#entries.size
  }

  /** Milliseconds left of `client`'s ban at `now`; 0 if it is not banned. */
  bannedFor(client: string, now: number): number {
    const entry = this.#entries.get(client)
    return entry === undefined || entry.until <= now ? 0 : entry.until - now
  }

  /** Records one refusal of `client` at `now`; true if it started a ban. */
  strike(client: string, now: number, rule: BanRule): boolean {
    this.#expire(now)
    let entry = this.#entries.get(client)
    if (entry === undefined) {
      if (this.#entries.size >= this.#maxClients) {
        const oldest = this.#entries.keys().next().value as string
        this.#entries.delete(oldest)
      }
      entry = { strikes: 0, windowEnd: 0, until: 0 }
    } else {
      this.#entries.delete(client)
    }
    this.#entries.set(client, entry)
    if (entry.windowEnd <= now) {
      entry.strikes = 0
      entry.windowEnd = now + rule.withinMs
    }
    entry.strikes++
    if (entry.strikes < rule.after) return false
    entry.strikes = 0
    entry.windowEnd = 0
    entry.until = now + rule.durationMs
    return true
  }

  #expire(now: number): void {
    let released = 0
    for (const [client, entry] of this.#entries) {
      if (released === EXPIRE_PER_STRIKE || entry.windowEnd > now || entry.until > now) return
      this.#entries.delete(client)
      released++
    }
  }
}

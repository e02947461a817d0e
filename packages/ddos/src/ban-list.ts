/** One ban held by this process. */
export interface BanEntry {
  /** End of the ban, ms since the epoch. */
  until: number
  /** Redis has it (written by this process, or read from Redis); false when Redis is off or the write failed. */
  stored: boolean
}

/**
 * The bans this process knows, in a `Map` bounded by `maxClients`: when it is full, a new ban
 * pushes out the oldest one. Expired entries are dropped when looked at and by `sweep`.
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

  get(client: string): BanEntry | undefined {
    return this.#entries.get(client)
  }

  /** Bans `client` until `until` (replacing any ban it had) and returns the entry. */
  set(client: string, until: number, stored: boolean): BanEntry {
    const entries = this.#entries
    if (entries.has(client)) entries.delete(client)
    else if (entries.size >= this.#maxClients) entries.delete(entries.keys().next().value as string)
    const entry = { until, stored }
    entries.set(client, entry)
    return entry
  }

  delete(client: string): boolean {
    return this.#entries.delete(client)
  }

  /** Removes every ban that ended at or before `now`; returns their clients. */
  sweep(now: number): string[] {
    const expired: string[] = []
    for (const [client, entry] of this.#entries) if (entry.until <= now) expired.push(client)
    for (const client of expired) this.#entries.delete(client)
    return expired
  }
}

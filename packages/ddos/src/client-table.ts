/** What is remembered about one recently seen client. */
export interface ClientEntry {
  /** Start of the rate window `current` counts in (ms since the epoch). */
  windowStart: number
  /** Requests in the current rate window. */
  current: number
  /** Requests in the window before it. */
  previous: number
  /** The client's latest request (for the surge detector); `-Infinity` for a client never seen. */
  lastSeen: number
  /** The last Redis ban lookup for this client; `-Infinity` when never. */
  checkedAt: number
}

/**
 * The recently seen clients, least recently seen first, in a `Map` bounded by `maxClients`: when
 * it is full, a new client pushes out the one seen longest ago. Losing an entry resets that
 * client's rate count and makes it look new to the surge detector; it never lifts a ban (bans
 * live in their own list).
 */
export class ClientTable {
  readonly maxClients: number
  readonly #entries = new Map<string, ClientEntry>()
  #evictions = 0

  constructor(maxClients: number) {
    this.maxClients = maxClients
  }

  get size(): number {
    return this.#entries.size
  }

  /** Clients pushed out by newer ones since start. */
  get evictions(): number {
    return this.#evictions
  }

  /** The entry of `client`, created if needed, now the most recently seen. */
  touch(client: string): ClientEntry {
    const entries = this.#entries
    let entry = entries.get(client)
    if (entry === undefined) {
      if (entries.size >= this.maxClients) {
        entries.delete(entries.keys().next().value as string)
        this.#evictions++
      }
      entry = {
        windowStart: Number.NEGATIVE_INFINITY,
        current: 0,
        previous: 0,
        lastSeen: Number.NEGATIVE_INFINITY,
        checkedAt: Number.NEGATIVE_INFINITY,
      }
    } else {
      entries.delete(client)
    }
    entries.set(client, entry)
    return entry
  }

  get(client: string): ClientEntry | undefined {
    return this.#entries.get(client)
  }
}

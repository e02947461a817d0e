/**
 * A bounded least-recently-used map whose entries expire `ttl` ms after they were set. Reads refresh
 * recency, not expiry, so a revoked key leaves the cache at most `ttl` ms after it was looked up.
 * Memory is bounded by `maxEntries`: setting a new key beyond it drops the least recently used one.
 */
export class ExpiringLruCache<V> {
  readonly maxEntries: number
  readonly ttl: number
  readonly #now: () => number
  readonly #entries = new Map<string, { value: V; expiresAt: number }>()

  constructor(maxEntries: number, ttl: number, now: () => number) {
    this.maxEntries = maxEntries
    this.ttl = ttl
    this.#now = now
  }

  get size(): number {
    return this.#entries.size
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (this.#now() >= entry.expiresAt) {
      this.#entries.delete(key)
      return undefined
    }
    // Most recently used last: Map keeps insertion order.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    return entry.value
  }

  set(key: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt: this.#now() + this.ttl })
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
  }

  delete(key: string): boolean {
    return this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }
}

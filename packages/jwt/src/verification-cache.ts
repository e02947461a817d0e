import type { AuthOutcome } from '@rampart/core'

/** A verified token: the outcome to answer with, its `jti` (checked against the denylist every time) and when the entry ends. */
export interface CachedVerification {
  readonly outcome: AuthOutcome
  readonly jti: string | undefined
  /** ms since the epoch; never later than the token's `exp`. */
  readonly expiresAt: number
}

/**
 * Verified tokens by SHA-256 of the token, least recently used dropped first beyond `maxEntries`.
 * A hit is a `Map` lookup: no signature check, no JSON parsing, no allocation. Only verified tokens
 * get in, so a flood of forged tokens cannot evict real ones.
 */
export class VerificationCache {
  readonly maxEntries: number
  readonly #entries = new Map<string, CachedVerification>()

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.#entries.size
  }

  get(key: string, now: number): CachedVerification | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    this.#entries.delete(key)
    if (now >= entry.expiresAt) return undefined
    // Most recently used last: a Map keeps insertion order.
    this.#entries.set(key, entry)
    return entry
  }

  set(key: string, entry: CachedVerification): void {
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
  }

  clear(): void {
    this.#entries.clear()
  }
}

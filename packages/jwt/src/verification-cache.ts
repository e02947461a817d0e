import type { AuthOutcome } from '@rampart/core'

/** A verified token: the outcome to answer with, its `jti` (checked against the denylist every time) and when the entry ends. */
export interface CachedVerification {
  readonly outcome: AuthOutcome
  readonly jti: string | undefined
  /** ms since the epoch; never later than the token's `exp`. */
  readonly expiresAt: number
}

interface Slot {
  readonly entry: CachedVerification
  /** Read since it last came round to eviction: it gets a second chance. */
  used: boolean
}

/**
 * Verified tokens by the token itself, evicted beyond `maxEntries` by second chance (CLOCK): the
 * oldest entry goes unless it was read since, in which case it moves to the back. A hit is one
 * `Map` lookup and a flag: no hash of the token, no reordering, no allocation. Only verified tokens
 * get in, so a flood of forged tokens cannot evict real ones. Memory: `maxEntries` tokens (each at
 * most the strategy's `maxTokenLength`) and their outcomes.
 */
export class VerificationCache {
  readonly maxEntries: number
  readonly #slots = new Map<string, Slot>()

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.#slots.size
  }

  get(token: string, now: number): CachedVerification | undefined {
    const slot = this.#slots.get(token)
    if (slot === undefined) return undefined
    if (now >= slot.entry.expiresAt) {
      this.#slots.delete(token)
      return undefined
    }
    slot.used = true
    return slot.entry
  }

  set(token: string, entry: CachedVerification): void {
    const known = this.#slots.get(token)
    if (known !== undefined) {
      this.#slots.set(token, { entry, used: known.used })
      return
    }
    this.#slots.set(token, { entry, used: false })
    // At most one pass: every entry passed over loses its flag.
    while (this.#slots.size > this.maxEntries) {
      const oldest = this.#slots.entries().next()
      if (oldest.done === true) return
      const [key, slot] = oldest.value
      this.#slots.delete(key)
      if (!slot.used) return
      this.#slots.set(key, { entry: slot.entry, used: false })
    }
  }

  clear(): void {
    this.#slots.clear()
  }
}

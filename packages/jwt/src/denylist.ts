import { DenylistFullError } from './errors.js'

/**
 * Where revoked token ids (`jti`) are kept until their token would have expired anyway. The
 * strategy asks on every request that carries a `jti`, cached verification or not.
 */
export interface JwtDenylist {
  /** Revokes `jti` until `until` (NumericDate: seconds since the epoch, the token's `exp` plus the clock tolerance). */
  add(jti: string, until: number): void | Promise<void>
  /** Whether `jti` is revoked. May reject (Redis down): the strategy then fails closed (503). */
  has(jti: string): boolean | Promise<boolean>
  /** Releases what the denylist owns (a Redis connection); called when the app closes. */
  close?(): void | Promise<void>
}

export interface MemoryDenylistOptions {
  /** Live revocations kept; beyond it `add` throws `RAMPART_JWT_DENYLIST_FULL` rather than forget one. Default 100,000. */
  maxEntries?: number
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

export const MEMORY_DENYLIST_DEFAULTS = Object.freeze({ maxEntries: 100_000 })

/**
 * The denylist of one process, bounded. Expired revocations are dropped as they are met and swept
 * when the list is full; a live one is never dropped to make room (that would un-revoke a token).
 * Instances do not share it: use `RedisDenylist` when there is more than one.
 */
export class MemoryDenylist implements JwtDenylist {
  readonly maxEntries: number
  readonly #now: () => number
  /** jti → until (ms). */
  readonly #entries = new Map<string, number>()

  constructor(options: MemoryDenylistOptions = {}) {
    const maxEntries = options.maxEntries ?? MEMORY_DENYLIST_DEFAULTS.maxEntries
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('MemoryDenylist: maxEntries must be a positive integer')
    }
    this.maxEntries = maxEntries
    this.#now = options.now ?? Date.now
  }

  get size(): number {
    return this.#entries.size
  }

  add(jti: string, until: number): void {
    const untilMs = until * 1000
    const now = this.#now()
    if (!(untilMs > now)) return
    if (!this.#entries.has(jti) && this.#entries.size >= this.maxEntries) {
      for (const [key, expires] of this.#entries) if (expires <= now) this.#entries.delete(key)
      if (this.#entries.size >= this.maxEntries) {
        throw new DenylistFullError(`the in-memory denylist holds ${this.maxEntries} live revocations`)
      }
    }
    this.#entries.set(jti, Math.max(untilMs, this.#entries.get(jti) ?? 0))
  }

  has(jti: string): boolean {
    const until = this.#entries.get(jti)
    if (until === undefined) return false
    if (until > this.#now()) return true
    this.#entries.delete(jti)
    return false
  }

  clear(): void {
    this.#entries.clear()
  }
}

import { NonceStoreFullError } from './errors.js'

/**
 * Where nonces are remembered, for replay protection. `@rampart/signature` calls `remember` once per
 * request whose signature it verified, with a key `<keyId>:<nonce>` and a lifetime of twice the
 * timestamp tolerance (a nonce must outlive every timestamp it could be sent with, on every server).
 */
export interface NonceStore {
  /**
   * Records `key` for `ttl` seconds. Returns `true` when the key was not recorded yet (the request
   * goes on), `false` when it was (a replay: 401). Throws or rejects when it cannot tell: the
   * request is then refused with 503, never let through.
   */
  remember(key: string, ttl: number): boolean | Promise<boolean>
  /** Releases what the store holds (connections, memory); called when Fastify closes. */
  close?(): void | Promise<void>
}

/** Options of `MemoryNonceStore`. */
export interface MemoryNonceStoreOptions {
  /** Nonces held at most; when that many are still unexpired, new ones are refused (503). Default 100,000. */
  maxEntries?: number
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

export const MEMORY_STORE_DEFAULTS = Object.freeze({ maxEntries: 100_000 })

/**
 * Nonces in this process's memory: one Map in insertion order, which is expiry order because every
 * nonce gets the same lifetime, so expired nonces are dropped from its front as new ones come (no
 * timer, amortised O(1)). Bounded: when `maxEntries` nonces are all still unexpired it refuses
 * new ones rather than forget one that could be replayed. Not shared between processes: with
 * more than one instance, use `RedisNonceStore`.
 */
export class MemoryNonceStore implements NonceStore {
  readonly maxEntries: number
  readonly #now: () => number
  readonly #expiries = new Map<string, number>()

  constructor(options: MemoryNonceStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? MEMORY_STORE_DEFAULTS.maxEntries
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('MemoryNonceStore: maxEntries must be a positive integer')
    }
    this.maxEntries = maxEntries
    this.#now = options.now ?? Date.now
  }

  /** Nonces currently held (expired ones included until the next `remember` drops them). */
  get size(): number {
    return this.#expiries.size
  }

  remember(key: string, ttl: number): boolean {
    const now = this.#now()
    const expiries = this.#expiries
    for (const [held, expiry] of expiries) {
      if (expiry > now) break
      expiries.delete(held)
    }
    const expiry = expiries.get(key)
    if (expiry !== undefined) {
      if (expiry > now) return false
      expiries.delete(key)
    }
    if (expiries.size >= this.maxEntries) {
      throw new NonceStoreFullError(`the memory nonce store holds ${this.maxEntries} unexpired nonces (maxEntries)`)
    }
    expiries.set(key, now + ttl * 1000)
    return true
  }

  close(): void {
    this.#expiries.clear()
  }
}

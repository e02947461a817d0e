import { MAX_ORIGIN_LENGTH } from './origin-entry.js'

/** Decides whether an `Origin` is allowed: a Set lookup, then the anchored patterns as given. */
export class OriginMatcher {
  readonly #exact: ReadonlySet<string>
  readonly #patterns: readonly RegExp[]

  constructor(exact: readonly string[], patterns: readonly RegExp[]) {
    this.#exact = new Set(exact)
    this.#patterns = patterns
  }

  /** True when nothing can ever be allowed. */
  get empty(): boolean {
    return this.#exact.size === 0 && this.#patterns.length === 0
  }

  allows(origin: string): boolean {
    if (this.#exact.has(origin)) return true
    // no real origin is this long; the cap also bounds what a user's pattern must scan
    if (this.#patterns.length === 0 || origin.length > MAX_ORIGIN_LENGTH) return false
    for (const pattern of this.#patterns) {
      if (pattern.test(origin)) return true
    }
    return false
  }
}

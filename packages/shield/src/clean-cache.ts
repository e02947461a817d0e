/**
 * Header values already found clean by every rule, so the same User-Agent or Referer is inspected
 * once, not on every request. Bounded: the oldest entry goes when it is full, so a client sending
 * a new value each time only causes misses.
 */
export class CleanCache {
  readonly #values = new Set<string>()
  readonly #max: number

  constructor(max: number) {
    this.#max = max
  }

  get size(): number {
    return this.#values.size
  }

  has(value: string): boolean {
    return this.#values.has(value)
  }

  add(value: string): void {
    if (this.#values.size >= this.#max) {
      const oldest = this.#values.values().next().value as string
      this.#values.delete(oldest)
    }
    this.#values.add(value)
  }
}

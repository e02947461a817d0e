import type { Usage } from '../algorithms/algorithm.js'

const ROWS = 4
/** Row seeds for the 32-bit FNV-1a variants, one per row. */
const SEEDS = [0x811c9dc5, 0x01000193, 0x5bd1e995, 0x27d4eb2f]
const rowIndex = new Int32Array(ROWS)

function hashRows(key: string, mask: number): void {
  for (let row = 0; row < ROWS; row++) {
    let hash = SEEDS[row] as number
    for (let i = 0; i < key.length; i++) {
      hash ^= key.charCodeAt(i)
      hash = Math.imul(hash, 0x01000193)
    }
    hash ^= hash >>> 15
    hash = Math.imul(hash, 0x2c1b3c6d)
    hash ^= hash >>> 12
    rowIndex[row] = hash & mask
  }
}

/**
 * What the clients evicted from a full table had used: a count-min sketch whose cells hold
 * `(units, at)` per policy, merged by maximum. Each of a key's four cells therefore holds at least
 * what that key used, at a time no earlier than its own; recalling takes the smallest over the rows,
 * which is still at least what the key used. So the sketch can only over-count: an evicted client
 * comes back with at least its old usage, never with a fresh quota. Fixed size, allocated on the
 * first eviction; old cells need no sweeping, since a summary older than a window replays as nothing.
 */
export class OverflowSketch {
  readonly #policies: number
  readonly #mask: number
  readonly #cells: Float64Array

  /** `width` is rounded up to a power of two. */
  constructor(width: number, policies: number) {
    let size = 1
    while (size < width) size *= 2
    this.#mask = size - 1
    this.#policies = policies
    this.#cells = new Float64Array(ROWS * size * policies * 2)
  }

  get bytes(): number {
    return this.#cells.byteLength
  }

  #cell(row: number, policy: number): number {
    return ((row * (this.#mask + 1) + (rowIndex[row] as number)) * this.#policies + policy) * 2
  }

  /** Records that `key` had used `usage[policy]` (a fold for every policy of the key's table). */
  fold(key: string, usages: readonly Usage[]): void {
    hashRows(key, this.#mask)
    const cells = this.#cells
    for (let policy = 0; policy < this.#policies; policy++) {
      const usage = usages[policy] as Usage
      if (usage.units <= 0) continue
      for (let row = 0; row < ROWS; row++) {
        const cell = this.#cell(row, policy)
        if ((cells[cell] as number) < usage.units) cells[cell] = usage.units
        if ((cells[cell + 1] as number) < usage.at) cells[cell + 1] = usage.at
      }
    }
  }

  /** Fills `usages` with an over-estimate of what `key` used; returns false if that is nothing. */
  recall(key: string, usages: Usage[]): boolean {
    hashRows(key, this.#mask)
    const cells = this.#cells
    let any = false
    for (let policy = 0; policy < this.#policies; policy++) {
      let units = Number.POSITIVE_INFINITY
      let at = Number.POSITIVE_INFINITY
      for (let row = 0; row < ROWS; row++) {
        const cell = this.#cell(row, policy)
        units = Math.min(units, cells[cell] as number)
        at = Math.min(at, cells[cell + 1] as number)
      }
      const usage = usages[policy] as Usage
      usage.units = units
      usage.at = at
      if (units > 0) any = true
    }
    return any
  }
}

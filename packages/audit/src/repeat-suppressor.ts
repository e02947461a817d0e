import type { AuditRecord } from './record.js'

interface Window {
  /** The record that opened the window. */
  readonly first: AuditRecord
  readonly until: number
  suppressed: number
  lastAt: number
}

/** Builds the summary of a window's repeats, from the record that opened it. */
export type SummaryRecorder = (first: AuditRecord, count: number, lastAt: number) => void

/**
 * Bounds automatic records under a flood: the first event of a kind (same key: kind, client,
 * code) is recorded, repeats within `window` ms are only counted, and when the window ends one
 * summary record carries the count. At most `maxKeys` windows are open; opening one more closes
 * the oldest (its summary is recorded then).
 */
export class RepeatSuppressor {
  readonly #window: number
  readonly #maxKeys: number
  readonly #now: () => number
  readonly #summarize: SummaryRecorder
  readonly #open = new Map<string, Window>()

  constructor(window: number, maxKeys: number, now: () => number, summarize: SummaryRecorder) {
    this.#window = window
    this.#maxKeys = maxKeys
    this.#now = now
    this.#summarize = summarize
  }

  get size(): number {
    return this.#open.size
  }

  /** True when an event with this key is a repeat (only counted); false when it must be recorded. */
  isRepeat(key: string): boolean {
    if (this.#window === 0) return false
    const now = this.#now()
    const open = this.#open.get(key)
    if (open === undefined) return false
    if (now >= open.until) {
      this.#close(key, open)
      return false
    }
    open.suppressed++
    open.lastAt = now
    return true
  }

  /** Opens the window of a key with the record just made for it. */
  opened(key: string, record: AuditRecord): void {
    if (this.#window === 0) return
    if (this.#open.size >= this.#maxKeys) {
      const oldest = this.#open.entries().next().value
      if (oldest !== undefined) this.#close(oldest[0], oldest[1])
    }
    const now = this.#now()
    this.#open.set(key, { first: record, until: now + this.#window, suppressed: 0, lastAt: now })
  }

  /** Closes the windows that have ended (all of them with `all`), recording their summaries. */
  sweep(all = false): void {
    const now = this.#now()
    for (const [key, open] of this.#open) {
      if (all || now >= open.until) this.#close(key, open)
    }
  }

  #close(key: string, open: Window): void {
    this.#open.delete(key)
    if (open.suppressed > 0) this.#summarize(open.first, open.suppressed, open.lastAt)
  }
}

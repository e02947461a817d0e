import type { ClientEntry } from './client-table.js'
import { surgeChannel } from './diagnostics.js'

/** What the surge detector reports in `status()`. */
export interface SurgeStatus {
  readonly threshold: number
  readonly intervalMs: number
  /** New clients counted in the current interval. */
  readonly newClients: number
  /** The threshold was crossed in the current interval. */
  readonly surging: boolean
}

/**
 * Counts new clients per interval: a client is new when its first request of the interval finds
 * it unseen in the previous interval too (its `ClientTable` entry's `lastSeen`), so a steady
 * audience does not count and a botnet arriving does. Intervals start when the plugin starts; the
 * first one only learns who is already there (every client is "new" to a process that just
 * started), so it never reports. Published once per interval, when the count passes the threshold.
 */
export class SurgeDetector {
  readonly threshold: number
  readonly intervalMs: number
  readonly #origin: number
  #intervalStart: number
  #count = 0
  #fired = false

  constructor(threshold: number, intervalMs: number, now: number) {
    this.threshold = threshold
    this.intervalMs = intervalMs
    this.#origin = now
    this.#intervalStart = now
  }

  /** Records one request of the client whose entry this is, at `now`. */
  observe(entry: ClientEntry, now: number): void {
    if (now - this.#intervalStart >= this.intervalMs) this.#advance(now)
    const lastSeen = entry.lastSeen
    if (now > lastSeen) entry.lastSeen = now
    if (lastSeen >= this.#intervalStart) return
    if (lastSeen >= this.#intervalStart - this.intervalMs) return
    this.#count++
    if (this.#count > this.threshold && !this.#fired && this.#intervalStart > this.#origin) {
      this.#fired = true
      if (surgeChannel.hasSubscribers) {
        surgeChannel.publish({ distinctClients: this.#count, intervalMs: this.intervalMs })
      }
    }
  }

  status(now: number): SurgeStatus {
    if (now - this.#intervalStart >= this.intervalMs) this.#advance(now)
    return { threshold: this.threshold, intervalMs: this.intervalMs, newClients: this.#count, surging: this.#fired }
  }

  #advance(now: number): void {
    const elapsed = now - this.#origin
    this.#intervalStart = this.#origin + (elapsed - (elapsed % this.intervalMs))
    this.#count = 0
    this.#fired = false
  }
}

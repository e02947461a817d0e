import type { Alert } from './alert.js'
import type { AlertRule } from './rules.js'
import { type EventMessage, sampleOf } from './sample.js'
import { SlidingWindowCounter } from './sliding-window.js'

/** What `stats()` reports for one rule. */
export interface RuleStats {
  /** Events in the window now. */
  inWindow: number
  /** Alerts fired since register. */
  fired: number
  /** Events at or over the threshold that the cooldown kept from firing, since register. */
  suppressed: number
}

/**
 * One rule's state: its sliding window and its cooldown. `record` counts an event and returns the
 * alert when the count reaches the threshold outside the cooldown; the cooldown then starts.
 */
export class RuleTracker {
  readonly rule: AlertRule
  readonly #window: SlidingWindowCounter
  #quietUntil = Number.NEGATIVE_INFINITY
  #fired = 0
  #suppressed = 0
  #suppressedSinceAlert = 0

  constructor(rule: AlertRule, buckets: number) {
    this.rule = rule
    this.#window = new SlidingWindowCounter(rule.windowMs, buckets)
  }

  record(now: number, message: EventMessage): Alert | undefined {
    const count = this.#window.add(now)
    if (count < this.rule.threshold) return undefined
    if (now < this.#quietUntil) {
      this.#suppressed++
      this.#suppressedSinceAlert++
      return undefined
    }
    this.#quietUntil = now + this.rule.cooldownMs
    this.#fired++
    const suppressed = this.#suppressedSinceAlert
    this.#suppressedSinceAlert = 0
    const rule = this.rule
    return {
      type: rule.type,
      title: rule.title,
      severity: rule.severity,
      count,
      threshold: rule.threshold,
      windowMs: rule.windowMs,
      firstSeen: this.#window.firstSeen(now) ?? now,
      lastSeen: now,
      suppressed,
      sample: sampleOf(message, rule.code),
    }
  }

  stats(now: number): RuleStats {
    return { inWindow: this.#window.count(now), fired: this.#fired, suppressed: this.#suppressed }
  }
}

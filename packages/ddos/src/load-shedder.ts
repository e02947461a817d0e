import type { SheddingReason } from './diagnostics.js'
import type { LoadSample } from './load-sampler.js'
import type { ResolvedSheddingOptions, ResolvedThresholds } from './options.js'

/** 0: nothing is shed. 1: anonymous requests are shed. 2: every request is shed. */
export type SheddingLevel = 0 | 1 | 2

interface Signal {
  readonly reason: Exclude<SheddingReason, 'recovered'>
  readonly key: keyof LoadSample
  readonly thresholds: ResolvedThresholds
}

/**
 * The shedding level, moved by samples with hysteresis:
 * - up at once to the highest level a signal reaches (`shed` → 1, `shedAll` → 2);
 * - from 2 down to 1 once every signal is below its `shed` value;
 * - down to 0 only once every signal is below its `recover` value.
 * Pure: fed samples by the plugin's timer (or by a test).
 */
export class LoadShedder {
  readonly #signals: readonly Signal[]
  #level: SheddingLevel = 0
  #reason: SheddingReason = 'recovered'
  #last: LoadSample = { eventLoopDelayMs: 0, utilization: 0, heapUsedBytes: 0 }
  #since = 0

  constructor(options: Pick<ResolvedSheddingOptions, 'eventLoopDelay' | 'eventLoopUtilization' | 'heapUsed'>) {
    const signals: Signal[] = []
    if (options.eventLoopDelay) {
      signals.push({ reason: 'event-loop-delay', key: 'eventLoopDelayMs', thresholds: options.eventLoopDelay })
    }
    if (options.eventLoopUtilization) {
      signals.push({ reason: 'event-loop-utilization', key: 'utilization', thresholds: options.eventLoopUtilization })
    }
    if (options.heapUsed) signals.push({ reason: 'heap-used', key: 'heapUsedBytes', thresholds: options.heapUsed })
    this.#signals = signals
  }

  get level(): SheddingLevel {
    return this.#level
  }

  get reason(): SheddingReason {
    return this.#reason
  }

  get last(): LoadSample {
    return this.#last
  }

  /** When the current level was entered (the `now` given to `update`). */
  get since(): number {
    return this.#since
  }

  /** Takes one sample; true if the level changed. */
  update(sample: LoadSample, now: number): boolean {
    this.#last = sample
    let reached: SheddingLevel = 0
    let reachedBy: SheddingReason = 'recovered'
    let aboveRecover: SheddingReason | undefined
    for (const signal of this.#signals) {
      const value = sample[signal.key]
      const { shed, shedAll, recover } = signal.thresholds
      if (value >= shedAll) {
        if (reached < 2) {
          reached = 2
          reachedBy = signal.reason
        }
      } else if (value >= shed && reached < 1) {
        reached = 1
        reachedBy = signal.reason
      }
      if (value >= recover && aboveRecover === undefined) aboveRecover = signal.reason
    }
    const before = this.#level
    if (reached > before) {
      this.#level = reached
      this.#reason = reachedBy
    } else if (aboveRecover === undefined) {
      this.#level = 0
      this.#reason = 'recovered'
    } else if (before === 2 && reached === 0) {
      this.#level = 1
      this.#reason = aboveRecover
    }
    if (this.#level === before) return false
    this.#since = now
    return true
  }
}

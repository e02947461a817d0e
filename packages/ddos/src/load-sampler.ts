import { type EventLoopUtilization, type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks'

/** One reading of the process's load. */
export interface LoadSample {
  /** Longest event-loop delay in the sample window, ms. */
  eventLoopDelayMs: number
  /** Event-loop utilisation over the sample window, 0..1. */
  utilization: number
  heapUsedBytes: number
}

/** Resolution of the event-loop delay histogram, ms. */
const RESOLUTION_MS = 10

/**
 * Reads the load signals once per sample window: event-loop delay (the larger of
 * `monitorEventLoopDelay`'s maximum and the sampling timer's own lateness: a loop blocked across
 * the end of a window delays the histogram's tick past the reset and would otherwise go unseen),
 * event-loop utilisation over the window, and `heapUsed`.
 */
export class LoadSampler {
  readonly #intervalMs: number
  readonly #histogram: IntervalHistogram
  #utilization: EventLoopUtilization
  #last: number

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs
    this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    this.#utilization = performance.eventLoopUtilization()
    this.#last = performance.now()
  }

  start(): void {
    this.#histogram.enable()
    this.#utilization = performance.eventLoopUtilization()
    this.#last = performance.now()
  }

  stop(): void {
    this.#histogram.disable()
  }

  sample(): LoadSample {
    const now = performance.now()
    const lateness = now - this.#last - this.#intervalMs
    this.#last = now
    const histogram = this.#histogram
    const longest = histogram.count > 0 ? histogram.max / 1e6 - RESOLUTION_MS : 0
    histogram.reset()
    const current = performance.eventLoopUtilization()
    const utilization = performance.eventLoopUtilization(current, this.#utilization).utilization
    this.#utilization = current
    return {
      eventLoopDelayMs: Math.max(0, lateness, longest),
      utilization: Number.isFinite(utilization) ? utilization : 0,
      heapUsedBytes: process.memoryUsage().heapUsed,
    }
  }
}

import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks'

/** Event-loop delay of this process over a window: how late timers and I/O callbacks ran. */
export interface LagFigures {
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

/**
 * Samples the event-loop delay (10 ms resolution) from `start()` to `read()`. On a loaded machine a
 * late event loop delays everything a test times; the fault tests report it next to their figures
 * and allow for it in their time bounds.
 */
export class EventLoopLag {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 })

  start(): void {
    this.#histogram.reset()
    this.#histogram.enable()
  }

  read(): LagFigures {
    const histogram = this.#histogram
    const ms = (ns: number) => Math.round(ns / 1e5) / 10
    const figures = {
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
    }
    return figures
  }

  stop(): LagFigures {
    const figures = this.read()
    this.#histogram.disable()
    return figures
  }
}

import type { FastifyBaseLogger } from 'fastify'
import type { Alert } from '../alert.js'
import { type SinkName, sinkFailedChannel } from '../diagnostics.js'

/** What `stats()` reports for one sink. */
export interface SinkStats {
  /** Alerts the sink took. */
  delivered: number
  /** Alerts it could not take (after the webhook's retries). */
  failed: number
  /** Alerts refused because the webhook's queue was full. */
  dropped: number
  /** Alerts still undelivered when the app closed (after `closeTimeoutMs`). */
  abandoned: number
  /** Alerts waiting or being delivered now. */
  pending: number
  /** Webhook attempts after a first one failed. */
  retries: number
}

/** Where alerts go. `deliver` never throws and never waits for I/O: it runs inside the request's event. */
export interface Sink {
  readonly name: SinkName
  deliver(alert: Alert): void
  /** Resolves when nothing is pending, or at `deadline` (ms since the epoch, `Date.now()`'s clock). */
  settle(deadline: number): Promise<void>
  /** Abandons what is still pending (aborting a webhook request in flight) and resolves once it is dropped. */
  abandon(): Promise<void>
  stats(): SinkStats
}

export function emptyStats(): SinkStats {
  return { delivered: 0, failed: 0, dropped: 0, abandoned: 0, pending: 0, retries: 0 }
}

/** Resolves at `deadline`, or when `work` settles, whichever is first. */
export async function until(work: Promise<unknown>, deadline: number): Promise<void> {
  const remaining = deadline - Date.now()
  if (remaining <= 0) return
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, remaining)
    }),
  ])
  clearTimeout(timer)
}

/**
 * Reports a sink's failures: every one on `rampart:alerts:sink-failed`, the first of a streak in
 * the log (a sink that keeps failing logs once, not once per alert, until it delivers again).
 */
export class FailureReporter {
  readonly #sink: SinkName
  readonly #log: FastifyBaseLogger
  #failing = false

  constructor(sink: SinkName, log: FastifyBaseLogger) {
    this.#sink = sink
    this.#log = log
  }

  failed(error: unknown, alert: Alert): void {
    if (sinkFailedChannel.hasSubscribers) sinkFailedChannel.publish({ sink: this.#sink, error, alert })
    if (this.#failing) return
    this.#failing = true
    try {
      this.#log.error(
        { err: error, sink: this.#sink, alert: alert.type },
        `@rampart/alerts: the ${this.#sink} sink failed; further failures are not logged until it delivers again`,
      )
    } catch {
      // A logger that throws has nowhere left to report to.
    }
  }

  delivered(): void {
    if (!this.#failing) return
    this.#failing = false
    try {
      this.#log.info({ sink: this.#sink }, `@rampart/alerts: the ${this.#sink} sink delivers again`)
    } catch {
      // As above.
    }
  }
}

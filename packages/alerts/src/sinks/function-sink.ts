import type { FastifyBaseLogger } from 'fastify'
import type { Alert } from '../alert.js'
import { AbandonedError, QueueFullError } from '../errors.js'
import type { AlertFunction } from '../options.js'
import { emptyStats, FailureReporter, type Sink, type SinkStats, until } from './sink.js'

/** Calls of `onAlert` still running past which new alerts are dropped: a function that never settles must not grow memory. */
export const MAX_PENDING_CALLS = 1000

/**
 * Calls the `onAlert` function on the next turn of the event loop (never inside the request's own
 * code), awaits what it returns, and catches what it throws or rejects with.
 */
export class FunctionSink implements Sink {
  readonly name = 'custom' as const
  readonly #notify: AlertFunction
  readonly #failures: FailureReporter
  readonly #stats = emptyStats()
  readonly #pending = new Map<Promise<void>, Alert>()

  constructor(notify: AlertFunction, log: FastifyBaseLogger) {
    this.#notify = notify
    this.#failures = new FailureReporter(this.name, log)
  }

  deliver(alert: Alert): void {
    if (this.#pending.size >= MAX_PENDING_CALLS) {
      this.#stats.dropped++
      this.#failures.failed(new QueueFullError('onAlert', MAX_PENDING_CALLS), alert)
      return
    }
    const call: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      // Not called at all when the app closed in between.
      .then(() => (this.#pending.has(call) ? this.#notify(alert) : undefined))
      .then(
        () => {
          if (!this.#pending.delete(call)) return
          this.#stats.delivered++
          this.#failures.delivered()
        },
        (error: unknown) => {
          if (!this.#pending.delete(call)) return
          this.#stats.failed++
          this.#failures.failed(error, alert)
        },
      )
    this.#pending.set(call, alert)
  }

  async settle(deadline: number): Promise<void> {
    while (this.#pending.size > 0 && Date.now() < deadline) {
      await until(Promise.allSettled(this.#pending.keys()), deadline)
    }
  }

  async abandon(): Promise<void> {
    for (const [call, alert] of this.#pending) {
      this.#pending.delete(call)
      this.#stats.abandoned++
      this.#failures.failed(new AbandonedError('onAlert'), alert)
    }
  }

  stats(): SinkStats {
    return { ...this.#stats, pending: this.#pending.size }
  }
}

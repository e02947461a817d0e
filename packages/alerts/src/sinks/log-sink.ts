import type { FastifyBaseLogger } from 'fastify'
import type { Alert, Severity } from '../alert.js'
import { summary } from '../format.js'
import { emptyStats, FailureReporter, type Sink, type SinkStats } from './sink.js'

type Level = 'fatal' | 'error' | 'warn' | 'info'

/** Severity → pino level: a critical alert is the one thing worth `fatal` (the seed's `logger.critical`). */
export const LOG_LEVELS: Readonly<Record<Severity, Level>> = Object.freeze({
  critical: 'fatal',
  error: 'error',
  warning: 'warn',
  info: 'info',
})

/** Logs every alert through `fastify.log`: `{ alert }` and a one-line summary. */
export class LogSink implements Sink {
  readonly name = 'log' as const
  readonly #log: FastifyBaseLogger
  readonly #failures: FailureReporter
  readonly #stats = emptyStats()

  constructor(log: FastifyBaseLogger) {
    this.#log = log
    this.#failures = new FailureReporter(this.name, log)
  }

  deliver(alert: Alert): void {
    try {
      this.#log[LOG_LEVELS[alert.severity]]({ alert }, `security alert: ${summary(alert)}`)
      this.#stats.delivered++
    } catch (error) {
      this.#stats.failed++
      this.#failures.failed(error, alert)
    }
  }

  async settle(): Promise<void> {}

  async abandon(): Promise<void> {}

  stats(): SinkStats {
    return { ...this.#stats }
  }
}

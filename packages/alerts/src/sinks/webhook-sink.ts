import { deadlineSignal } from '@rampart/core'
import type { FastifyBaseLogger } from 'fastify'
import type { Alert } from '../alert.js'
import { parseRetryAfter, retryDelay, sleep } from '../backoff.js'
import { AbandonedError, QueueFullError, WebhookFailedError } from '../errors.js'
import type { ResolvedWebhookOptions } from '../options.js'
import { slackMessage } from '../slack-message.js'
import { emptyStats, FailureReporter, type Sink, type SinkStats, until } from './sink.js'

/** The outcome of one POST. */
type Attempt = { ok: true } | { ok: false; retryable: boolean; reason: string; retryAfterMs?: number | undefined }

const DELIVERED: Attempt = Object.freeze({ ok: true })

/** Statuses worth another attempt: the server may take the alert later. */
function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500
}

/** `ECONNREFUSED`, `UND_ERR_SOCKET`, ...: the error's code, never its message (which may name the URL). */
function failureCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause
  if (typeof cause?.code === 'string') return cause.code
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') return code
  return (error as { name?: unknown } | null)?.name === 'TypeError' ? 'network error' : 'request error'
}

/**
 * POSTs alerts, one at a time and in order, to a webhook: a bounded queue (full: the alert is
 * dropped and counted), a deadline per attempt, retries with exponential backoff and jitter. Never
 * awaited by requests; on close, given `closeTimeoutMs`, then whatever is left is abandoned.
 */
export class WebhookSink implements Sink {
  readonly name = 'webhook' as const
  readonly #options: ResolvedWebhookOptions
  /** The origin: all that logs and errors say about the URL (its path is the secret). */
  readonly #origin: string
  readonly #headers: Record<string, string>
  readonly #failures: FailureReporter
  readonly #stats = emptyStats()
  /** Alerts waiting; the first is being delivered while `#worker` runs. */
  readonly #queue: Alert[] = []
  readonly #closed = new AbortController()
  #worker: Promise<void> | undefined
  readonly #random: () => number

  constructor(options: ResolvedWebhookOptions, log: FastifyBaseLogger, random: () => number = Math.random) {
    this.#options = options
    this.#origin = options.url.origin
    this.#headers = { ...options.headers, 'content-type': 'application/json' }
    this.#failures = new FailureReporter(this.name, log)
    this.#random = random
  }

  deliver(alert: Alert): void {
    if (this.#queue.length >= this.#options.queueSize) {
      this.#stats.dropped++
      this.#failures.failed(new QueueFullError(`webhook ${this.#origin}`, this.#options.queueSize), alert)
      return
    }
    this.#queue.push(alert)
    this.#worker ??= this.#drain()
  }

  async settle(deadline: number): Promise<void> {
    while (this.#worker !== undefined && Date.now() < deadline) await until(this.#worker, deadline)
  }

  async abandon(): Promise<void> {
    this.#closed.abort()
    if (this.#worker !== undefined) await this.#worker
  }

  stats(): SinkStats {
    return { ...this.#stats, pending: this.#queue.length }
  }

  async #drain(): Promise<void> {
    // Start on the next turn of the event loop: the alert was raised inside a request's code.
    await new Promise<void>((resolve) => setImmediate(resolve))
    try {
      while (this.#queue.length > 0) {
        const alert = this.#queue[0]!
        try {
          await this.#send(alert)
        } catch (error) {
          this.#stats.failed++
          this.#failures.failed(error, alert)
        }
        this.#queue.shift()
      }
    } finally {
      this.#worker = undefined
    }
  }

  async #send(alert: Alert): Promise<void> {
    const signal = this.#closed.signal
    if (signal.aborted) return this.#abandon(alert)
    const format = this.#options.format
    const body = JSON.stringify(format === undefined ? slackMessage(alert) : format(alert))
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#post(body)
      if (outcome.ok) {
        this.#stats.delivered++
        this.#failures.delivered()
        return
      }
      if (signal.aborted) return this.#abandon(alert)
      if (!outcome.retryable || attempt >= this.#options.retries) {
        this.#stats.failed++
        const attempts = attempt + 1
        const detail = `${outcome.reason} (${attempts} attempt${attempts === 1 ? '' : 's'})`
        this.#failures.failed(new WebhookFailedError(this.#origin, detail), alert)
        return
      }
      this.#stats.retries++
      const { backoffMs, maxBackoffMs } = this.#options
      await sleep(retryDelay(attempt, backoffMs, maxBackoffMs, outcome.retryAfterMs, this.#random), signal)
      if (signal.aborted) return this.#abandon(alert)
    }
  }

  async #post(body: string): Promise<Attempt> {
    const { url, timeoutMs } = this.#options
    const deadline = deadlineSignal(this.#closed.signal, timeoutMs)
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal: deadline.signal,
        redirect: 'manual',
      })
      // The answer's body is not needed: release the connection at once.
      await response.body?.cancel().catch(() => undefined)
      if (response.status >= 200 && response.status < 300) return DELIVERED
      return {
        ok: false,
        // A redirect is not followed: the alert would go somewhere the configuration does not name.
        retryable: retryableStatus(response.status),
        reason: `answered ${response.status}`,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      }
    } catch (error) {
      const timedOut = (error as { name?: unknown } | null)?.name === 'TimeoutError'
      return {
        ok: false,
        retryable: true,
        reason: timedOut ? `no answer within ${timeoutMs} ms` : `request failed: ${failureCode(error)}`,
      }
    } finally {
      deadline.release()
    }
  }

  #abandon(alert: Alert): void {
    this.#stats.abandoned++
    this.#failures.failed(new AbandonedError(`webhook ${this.#origin}`), alert)
  }
}

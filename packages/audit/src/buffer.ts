import type { HealthCheckResult } from '@rampart/core'
import type { FastifyBaseLogger } from 'fastify'
import { type DropReason, droppedChannel, type SinkType, sinkFailedChannel } from './diagnostics.js'
import type { AuditRecord } from './record.js'

/** A record the sink refused for good (bad data, not a failing sink). */
export interface RejectedRecord {
  readonly record: AuditRecord
  readonly error: Error
}

/** Where batches go: the JSON-lines file or PostgreSQL. */
export interface BatchWriter {
  readonly type: SinkType
  /**
   * Writes the batch in order. Throws when the sink is failing (the whole batch is kept and retried);
   * resolves with the records refused for good, if any.
   */
  write(batch: readonly AuditRecord[]): Promise<readonly RejectedRecord[]>
  /** Releases the file or the pool. */
  close(): Promise<void>
  /** Extra fields for the health check's detail (never secrets). */
  describe(): Readonly<Record<string, unknown>>
}

export interface BufferSettings {
  readonly batchSize: number
  readonly flushInterval: number
  readonly maxBuffer: number
  readonly retry: { readonly minDelay: number; readonly maxDelay: number }
  readonly closeTimeout: number
}

/** Counters of the audit pipeline, from `fastify.audit.stats()`. */
export interface AuditStats {
  readonly sink: SinkType
  /** Records accepted into the buffer. */
  readonly recorded: number
  /** Records the sink confirmed. */
  readonly written: number
  /** Records waiting to be written. */
  readonly buffered: number
  /** Records lost, all reasons. */
  readonly dropped: number
  readonly droppedBy: Readonly<Record<DropReason, number>>
  /** Failed write attempts since start. */
  readonly failures: number
  /** Failed attempts since the last success (0: the sink is working). */
  readonly consecutiveFailures: number
  readonly lastError: string | null
  readonly lastErrorAt: string | null
  readonly lastWriteAt: string | null
}

const LOG_EVERY_MS = 30_000

/**
 * The bounded queue between `record()` and the sink: batches of `batchSize` (or whatever is there
 * after `flushInterval`), one batch in flight at a time, in order; a failing batch stays at the
 * head and is retried with exponential backoff; new records beyond `maxBuffer` are dropped and
 * counted. Nothing here ever throws into the caller.
 */
export class AuditBuffer {
  readonly #writer: BatchWriter
  readonly #settings: BufferSettings
  readonly #log: FastifyBaseLogger
  #queue: AuditRecord[] = []
  #running: Promise<boolean> | null = null
  #timer: NodeJS.Timeout | null = null
  #retryPending = false
  #closing = false
  #closed = false
  #enqueued = 0
  #dequeued = 0
  #written = 0
  #failures = 0
  #consecutive = 0
  #lastError: Error | null = null
  #lastErrorAt: number | null = null
  #lastWriteAt: number | null = null
  #lastFailureLog = 0
  #dropped = 0
  #droppedBy: Record<DropReason, number> = { 'buffer-full': 0, shutdown: 0, closed: 0, rejected: 0 }
  #lastDropLog = 0
  #dropsSinceLog = 0

  constructor(writer: BatchWriter, settings: BufferSettings, log: FastifyBaseLogger) {
    this.#writer = writer
    this.#settings = settings
    this.#log = log
  }

  get size(): number {
    return this.#queue.length
  }

  /** Queues a record; false (and the drop counted and reported) when full or closed. */
  push(record: AuditRecord): boolean {
    if (this.#closed) {
      this.#drop(record, 'closed')
      return false
    }
    if (this.#queue.length >= this.#settings.maxBuffer) {
      this.#drop(record, 'buffer-full')
      return false
    }
    this.#queue.push(record)
    this.#enqueued++
    this.#schedule()
    return true
  }

  /**
   * Writes everything queued before the call, retrying (with backoff) until `timeout` ms have
   * passed. True when all of it was written (or refused for good), false on timeout.
   */
  async flush(timeout: number): Promise<boolean> {
    const target = this.#enqueued
    const deadline = Date.now() + timeout
    for (;;) {
      if (this.#running !== null) {
        const finished = await beforeDeadline(this.#running, deadline)
        if (finished === undefined) return this.#dequeued >= target
      }
      if (this.#dequeued >= target) return true
      if (Date.now() >= deadline) return false
      // Write now rather than at the next interval or retry; a failure schedules the next retry.
      this.#cancelTimer()
      const ok = await beforeDeadline(this.#drain(), deadline)
      if (this.#dequeued >= target) return true
      if (ok === undefined || Date.now() >= deadline) return false
      if (ok === false) await sleep(Math.min(this.#backoff(), deadline - Date.now()))
    }
  }

  /** Graceful shutdown: flush within `closeTimeout`, count what is left as dropped, close the sink. */
  async close(): Promise<void> {
    if (this.#closing) return
    this.#closing = true
    this.#cancelTimer()
    const deadline = Date.now() + this.#settings.closeTimeout
    const flushed = await this.flush(this.#settings.closeTimeout)
    this.#closed = true
    this.#cancelTimer()
    const left = this.#queue
    this.#queue = []
    this.#dequeued += left.length
    for (const record of left) this.#drop(record, 'shutdown')
    if (!flushed && left.length > 0) {
      this.#log.error(
        { dropped: left.length, sink: this.#writer.type, err: this.#lastError ?? undefined },
        'audit: shutdown wait ran out; buffered audit records were not written',
      )
    }
    try {
      await beforeDeadline(this.#writer.close(), Math.max(deadline, Date.now() + 1000))
    } catch (error) {
      this.#log.warn({ err: error }, 'audit: closing the sink failed')
    }
  }

  stats(): AuditStats {
    return {
      sink: this.#writer.type,
      recorded: this.#enqueued,
      written: this.#written,
      buffered: this.#queue.length,
      dropped: this.#dropped,
      droppedBy: { ...this.#droppedBy },
      failures: this.#failures,
      consecutiveFailures: this.#consecutive,
      lastError: this.#lastError?.message ?? null,
      lastErrorAt: this.#lastErrorAt === null ? null : new Date(this.#lastErrorAt).toISOString(),
      lastWriteAt: this.#lastWriteAt === null ? null : new Date(this.#lastWriteAt).toISOString(),
    }
  }

  /** `down` when records are being dropped (buffer full), `degraded` while the sink fails but records are kept. */
  health(): HealthCheckResult {
    const stats = this.stats()
    const detail = {
      sink: stats.sink,
      buffered: stats.buffered,
      maxBuffer: this.#settings.maxBuffer,
      dropped: stats.dropped,
      consecutiveFailures: stats.consecutiveFailures,
      lastError: stats.lastError,
      lastErrorAt: stats.lastErrorAt,
      lastWriteAt: stats.lastWriteAt,
      ...this.#writer.describe(),
    }
    if (this.#closed || stats.buffered >= this.#settings.maxBuffer) return { status: 'down', detail }
    if (stats.consecutiveFailures > 0) return { status: 'degraded', detail }
    return { status: 'healthy', detail }
  }

  #schedule(): void {
    // While a batch is in flight the loop picks new records up; while retrying, the retry timer does.
    if (this.#running !== null || this.#retryPending || this.#closed) return
    if (this.#queue.length >= this.#settings.batchSize) {
      this.#cancelTimer()
      void this.#drain()
    } else if (this.#timer === null) {
      this.#timer = setTimeout(() => {
        this.#timer = null
        void this.#drain()
      }, this.#settings.flushInterval)
      this.#timer.unref()
    }
  }

  #drain(): Promise<boolean> {
    if (this.#running === null) {
      this.#running = this.#run().then((ok) => {
        this.#running = null
        // Records pushed while the last write was settling; after a failure the retry timer
        // (or, while closing, the flush loop) takes over instead.
        if (ok && this.#queue.length > 0) this.#schedule()
        return ok
      })
    }
    return this.#running
  }

  async #run(): Promise<boolean> {
    while (this.#queue.length > 0 && !this.#closed) {
      const batch = this.#queue.slice(0, this.#settings.batchSize)
      let rejected: readonly RejectedRecord[]
      try {
        rejected = await this.#writer.write(batch)
      } catch (error) {
        if (!this.#closed) this.#failed(asError(error))
        return false
      }
      // Shutdown gave up on these while the write was in flight (they were counted as dropped).
      if (this.#closed) return true
      this.#queue.splice(0, batch.length)
      this.#dequeued += batch.length
      this.#written += batch.length - rejected.length
      this.#lastWriteAt = Date.now()
      for (const { record, error } of rejected) {
        this.#log.error({ err: error, id: record.id }, 'audit: the sink refused a record; it is dropped')
        this.#drop(record, 'rejected')
      }
      if (this.#consecutive > 0) {
        this.#log.info(
          { sink: this.#writer.type, failures: this.#consecutive, buffered: this.#queue.length },
          'audit: sink recovered; writing buffered records',
        )
        this.#consecutive = 0
      }
    }
    return true
  }

  #failed(error: Error): void {
    this.#failures++
    this.#consecutive++
    this.#lastError = error
    this.#lastErrorAt = Date.now()
    let retryIn: number | null = null
    if (!this.#closing) {
      retryIn = this.#backoff()
      this.#cancelTimer()
      this.#retryPending = true
      this.#timer = setTimeout(() => {
        this.#timer = null
        this.#retryPending = false
        void this.#drain()
      }, retryIn)
      this.#timer.unref()
    }
    if (sinkFailedChannel.hasSubscribers) {
      sinkFailedChannel.publish({
        sink: this.#writer.type,
        error,
        attempt: this.#consecutive,
        buffered: this.#queue.length,
        retryIn,
      })
    }
    const now = Date.now()
    if (this.#consecutive === 1 || now - this.#lastFailureLog >= LOG_EVERY_MS) {
      this.#lastFailureLog = now
      this.#log.error(
        { err: error, sink: this.#writer.type, attempt: this.#consecutive, buffered: this.#queue.length, retryIn },
        'audit: writing to the sink failed; records stay buffered and are retried',
      )
    }
  }

  #drop(record: AuditRecord, reason: DropReason): void {
    this.#dropped++
    this.#droppedBy[reason]++
    if (droppedChannel.hasSubscribers) {
      droppedChannel.publish({ sink: this.#writer.type, record, reason, dropped: this.#dropped })
    }
    if (reason === 'buffer-full' || reason === 'closed') {
      this.#dropsSinceLog++
      const now = Date.now()
      if (now - this.#lastDropLog >= LOG_EVERY_MS) {
        this.#log.error(
          { reason, dropped: this.#dropsSinceLog, droppedTotal: this.#dropped, maxBuffer: this.#settings.maxBuffer },
          'audit: records dropped',
        )
        this.#lastDropLog = now
        this.#dropsSinceLog = 0
      }
    }
  }

  /** Full-jitter exponential backoff: between half and all of min * 2^(failures - 1), capped. */
  #backoff(): number {
    const { minDelay, maxDelay } = this.#settings.retry
    const exponent = Math.min(Math.max(this.#consecutive - 1, 0), 30)
    const delay = Math.min(maxDelay, minDelay * 2 ** exponent)
    return Math.round(delay / 2 + (Math.random() * delay) / 2) // security-lint: retry jitter, not a secret
  }

  #cancelTimer(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    this.#retryPending = false
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

/** The promise's value, or `undefined` when `deadline` (ms since the epoch) comes first. */
async function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()))
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

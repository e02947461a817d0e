import { EventChannel } from '@rampart/core'
import type { FastifyRequest } from 'fastify'
import { PACKAGE } from './errors.js'
import type { AuditRecord } from './record.js'

/** Which sink a message is about. */
export type SinkType = 'file' | 'postgres'

/** `rampart:audit:recorded`: a record was accepted into the log (buffered; written soon after). */
export interface RecordedEvent {
  record: AuditRecord
  /** The request the record is about, or `null` (a record made outside a request). */
  request: FastifyRequest | null
}

/** `rampart:audit:sink-failed`: writing a batch failed; the batch stays buffered and is retried. */
export interface SinkFailedEvent {
  sink: SinkType
  error: Error
  /** Consecutive failures so far (1 on the first failure of an outage). */
  attempt: number
  /** Records waiting in the buffer. */
  buffered: number
  /** Milliseconds until the next attempt (`null` while shutting down: no further retry). */
  retryIn: number | null
}

/** Why a record never reached the sink. */
export type DropReason =
  /** The buffer was full (the sink has been failing for a while). */
  | 'buffer-full'
  /** Still buffered when the graceful shutdown's wait ran out. */
  | 'shutdown'
  /** Recorded after the plugin closed. */
  | 'closed'
  /** PostgreSQL refused the record itself (a data error): retrying could not help. */
  | 'rejected'

/** `rampart:audit:dropped`: a record was lost. Every drop is counted in `stats().dropped`. */
export interface DroppedEvent {
  sink: SinkType
  record: AuditRecord
  reason: DropReason
  /** Records dropped since the plugin started, this one included. */
  dropped: number
}

export const recordedChannel: EventChannel<RecordedEvent> = new EventChannel<RecordedEvent>(PACKAGE, 'recorded')
export const sinkFailedChannel: EventChannel<SinkFailedEvent> = new EventChannel<SinkFailedEvent>(
  PACKAGE,
  'sink-failed',
)
export const droppedChannel: EventChannel<DroppedEvent> = new EventChannel<DroppedEvent>(PACKAGE, 'dropped')

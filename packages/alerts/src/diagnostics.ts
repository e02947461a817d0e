import { EventChannel } from '@rampart/core'
import type { Alert } from './alert.js'
import { PACKAGE } from './errors.js'

/** `rampart:alerts:fired`: a rule crossed its threshold outside its cooldown; sinks are being told. */
export interface FiredEvent {
  alert: Alert
}

/** Which sink failed. */
export type SinkName = 'log' | 'webhook' | 'custom'

/** `rampart:alerts:sink-failed`: a sink could not deliver an alert (after its retries); requests are unaffected. */
export interface SinkFailedEvent {
  sink: SinkName
  /** What went wrong: a coded `RAMPART_ALERTS_*` error, or what the custom function threw. */
  error: unknown
  /** The alert that was not delivered. */
  alert: Alert
}

export const firedChannel: EventChannel<FiredEvent> = new EventChannel<FiredEvent>(PACKAGE, 'fired')
export const sinkFailedChannel: EventChannel<SinkFailedEvent> = new EventChannel<SinkFailedEvent>(
  PACKAGE,
  'sink-failed',
)

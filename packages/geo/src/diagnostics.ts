import { EventChannel, type RequestEvent } from '@rampart/core'
import type { DatabaseInfo } from './database.js'
import { PACKAGE } from './errors.js'
import type { BlockReason } from './policy.js'

/** `rampart:geo:blocked`: a request was refused with 403 because of where it comes from. */
export interface BlockedEvent extends RequestEvent {
  /** The client's country, or `null` (private, unknown, or the lookup failed). */
  country: string | null
  /** The client address that was looked up (core's trusted resolution). */
  ip: string
  /** Which rule refused it. */
  reason: BlockReason
}

/** `rampart:geo:reloaded`: the database file changed and the new one is now served. */
export interface ReloadedEvent extends DatabaseInfo {
  /** The database file (absolute). */
  path: string
}

/** `rampart:geo:reload-failed`: the database file changed but could not be read; the old one is still served. */
export interface ReloadFailedEvent {
  /** The database file (absolute). */
  path: string
  /** Why the new file was refused. */
  error: Error
}

/** `rampart:geo:lookup-failed`: the reader threw while looking up a client; `lookupErrors` decided. */
export interface LookupFailedEvent extends RequestEvent {
  /** The client address that was looked up. */
  ip: string
  /** What the reader threw. */
  error: Error
}

export const blockedChannel: EventChannel<BlockedEvent> = new EventChannel<BlockedEvent>(PACKAGE, 'blocked')
export const reloadedChannel: EventChannel<ReloadedEvent> = new EventChannel<ReloadedEvent>(PACKAGE, 'reloaded')
export const reloadFailedChannel: EventChannel<ReloadFailedEvent> = new EventChannel<ReloadFailedEvent>(
  PACKAGE,
  'reload-failed',
)
export const lookupFailedChannel: EventChannel<LookupFailedEvent> = new EventChannel<LookupFailedEvent>(
  PACKAGE,
  'lookup-failed',
)

import { EventChannel, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/**
 * `rampart:cors:rejected-origin`: a request carried an `Origin` that is not allowed (and is not the
 * request's own origin). A simple request is still served, without CORS headers; a preflight is refused.
 */
export interface RejectedOriginEvent extends RequestEvent {
  /** The `Origin` header as sent. */
  origin: string
}

export const rejectedOriginChannel: EventChannel<RejectedOriginEvent> = new EventChannel<RejectedOriginEvent>(
  PACKAGE,
  'rejected-origin',
)

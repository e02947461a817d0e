import { EventChannel, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** `rampart:trusted-host:refused`: a request was refused because of its Host. */
export interface RefusedEvent extends RequestEvent {
  /**
   * The host as resolved by `getClientAddress` (lowercased, port kept; from a trusted proxy's
   * `X-Forwarded-Host` when there is one), or `undefined` when it was absent or malformed.
   */
  host: string | undefined
}

export const refusedChannel: EventChannel<RefusedEvent> = new EventChannel<RefusedEvent>(PACKAGE, 'refused')

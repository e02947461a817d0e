import { EventChannel, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** `rampart:template:blocked`: a request to a blocked path was refused. */
export interface BlockedEvent extends RequestEvent {
  /** The normalised path that was refused. */
  path: string
}

export const blockedChannel: EventChannel<BlockedEvent> = new EventChannel<BlockedEvent>(PACKAGE, 'blocked')

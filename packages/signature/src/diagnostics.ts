import { EventChannel, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** `rampart:signature:verified`: a request's signature matched and its nonce was new. */
export interface VerifiedEvent extends RequestEvent {
  /** Id of the key that signed it. */
  keyId: string
}

/** Why a signed (or unsigned) request was refused; one per refusal code. */
export type RejectionReason = 'missing' | 'invalid' | 'expired' | 'replayed' | 'unknown-key' | 'unavailable'

/** `rampart:signature:rejected`: a request was refused. */
export interface RejectedEvent extends RequestEvent {
  reason: RejectionReason
  /** The key id sent, when it is a configured one (never an unknown id: that text is the client's). */
  keyId?: string
}

export const verifiedChannel: EventChannel<VerifiedEvent> = new EventChannel<VerifiedEvent>(PACKAGE, 'verified')
export const rejectedChannel: EventChannel<RejectedEvent> = new EventChannel<RejectedEvent>(PACKAGE, 'rejected')

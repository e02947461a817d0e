import { EventChannel, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/**
 * Why a request was refused: `missing` (no token sent), `no-session` (no session and no
 * pre-session cookie, so no token can be valid), `invalid` (malformed, forged or bound to
 * another session), `cross-site` (`Sec-Fetch-Site`), `origin` (`Origin` null or not allowed).
 */
export type RejectionReason = 'missing' | 'no-session' | 'invalid' | 'cross-site' | 'origin'

/** `rampart:csrf:rejected`: an unsafe request was refused with 403. */
export interface RejectedEvent extends RequestEvent {
  reason: RejectionReason
}

export const rejectedChannel: EventChannel<RejectedEvent> = new EventChannel<RejectedEvent>(PACKAGE, 'rejected')

import { EventChannel, type Identity, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** `rampart:auth:authenticated`: credentials were accepted and `request.identity` set. */
export interface AuthenticatedEvent extends RequestEvent {
  /** The strategy that authenticated (`jwt`), or in `all` mode every one joined by `+` (`jwt+api-key`). */
  strategy: string
  identity: Identity
}

/** Why a request was refused. */
export type FailureReason = 'missing' | 'incomplete' | 'invalid' | 'insufficient-scope' | 'unavailable'

/** `rampart:auth:failed`: a request was refused (401, 403 or 503). */
export interface FailedEvent extends RequestEvent {
  /** The strategy at fault (`invalid`, `unavailable`), the authenticated one(s) (`insufficient-scope`), or `null` (`missing`, `incomplete`). */
  strategy: string | null
  reason: FailureReason
  /** The strategy's description (`expired token`, `unknown API key`), or what was missing. */
  description: string
}

export const authenticatedChannel: EventChannel<AuthenticatedEvent> = new EventChannel<AuthenticatedEvent>(
  PACKAGE,
  'authenticated',
)
export const failedChannel: EventChannel<FailedEvent> = new EventChannel<FailedEvent>(PACKAGE, 'failed')

import { EventChannel, type Identity, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** `rampart:api-key:authenticated`: the standalone plugin accepted a key. */
export interface AuthenticatedEvent extends RequestEvent {
  /** Id of the key (never the key). */
  keyId: string
  /** The identity set on `request.identity`. */
  identity: Identity
}

/** Why the standalone plugin refused. */
export type FailureReason = 'missing' | 'invalid' | 'insufficient-scope' | 'unavailable'

/** `rampart:api-key:failed`: the standalone plugin refused a request. */
export interface FailedEvent extends RequestEvent {
  reason: FailureReason
  /** `malformed API key`, `unknown API key`, `expired API key`, `missing scope: write`, ... */
  description: string
}

export const authenticatedChannel: EventChannel<AuthenticatedEvent> = new EventChannel<AuthenticatedEvent>(
  PACKAGE,
  'authenticated',
)
export const failedChannel: EventChannel<FailedEvent> = new EventChannel<FailedEvent>(PACKAGE, 'failed')

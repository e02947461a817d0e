import { EventChannel } from '@rampart/core'
import type { FastifyRequest } from 'fastify'
import { PACKAGE } from './errors.js'

/**
 * What every session event carries. Never the session id (nor its full handle): `ref` is the
 * first 16 hex characters of the handle, enough to correlate events and `list()` entries.
 */
export interface SessionEvent {
  /** The request it happened in; absent for `revoke()`/`revokeAll()` calls and store evictions. */
  request?: FastifyRequest
  /** The session's user, when it was logged in. */
  userId?: string
  /** Short reference of the session (the handle's first 16 hex characters). */
  ref?: string
}

/** `rampart:session:created`: a new session was saved for the first time (`new`, or by a `login` without a previous session). */
export interface CreatedEvent extends SessionEvent {
  reason: 'new' | 'login'
}

/** `rampart:session:rotated`: a session got a new id, the old one was deleted (`login()` or `regenerate()`). */
export interface RotatedEvent extends SessionEvent {
  reason: 'login' | 'regenerate'
  /** `ref` of the session it replaced. */
  previousRef: string
}

/** `rampart:session:destroyed`: the application ended a session with `destroy()` (logout). */
export interface DestroyedEvent extends SessionEvent {
  reason: 'destroy'
}

/**
 * `rampart:session:revoked`: sessions were ended from outside: `revoke()`, `revokeAll()` (one event,
 * with `count`), or a request whose `User-Agent` does not match a bound session (a stolen cookie).
 */
export interface RevokedEvent extends SessionEvent {
  reason: 'revoke' | 'revoke-all' | 'user-agent-mismatch'
  /** Sessions ended (`revokeAll`); 1 otherwise. */
  count: number
}

/** `rampart:session:expired`: a session was found past its idle or absolute timeout, or evicted from a full memory store. */
export interface ExpiredEvent extends SessionEvent {
  reason: 'idle' | 'absolute' | 'evicted'
}

export const createdChannel: EventChannel<CreatedEvent> = new EventChannel<CreatedEvent>(PACKAGE, 'created')
export const rotatedChannel: EventChannel<RotatedEvent> = new EventChannel<RotatedEvent>(PACKAGE, 'rotated')
export const destroyedChannel: EventChannel<DestroyedEvent> = new EventChannel<DestroyedEvent>(PACKAGE, 'destroyed')
export const revokedChannel: EventChannel<RevokedEvent> = new EventChannel<RevokedEvent>(PACKAGE, 'revoked')
export const expiredChannel: EventChannel<ExpiredEvent> = new EventChannel<ExpiredEvent>(PACKAGE, 'expired')

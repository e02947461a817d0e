import { EventChannel } from '@rampart/core'
import type { FastifyRequest } from 'fastify'
import { PACKAGE } from './errors.js'

/** How a code was checked: a TOTP code or a backup code. */
export type MfaMethod = 'totp' | 'backup'

/**
 * Why a code was refused:
 * - `not-enrolled`: the user has no MFA record (`setup` never ran, or `disable` did);
 * - `not-enabled`: `verify` before `confirm` accepted a first code;
 * - `already-enabled`: `confirm` of an enrolment that is already enabled;
 * - `malformed`: not a string of the code's length and alphabet (nothing was looked up);
 * - `invalid`: no code of the window (or no unused backup code) matches;
 * - `replayed`: the TOTP code matches a time step already used (replay protection);
 * - `locked`: too many failures in a row; nothing is checked until `retryAfter` seconds pass.
 */
export type MfaFailureReason =
  | 'not-enrolled'
  | 'not-enabled'
  | 'already-enabled'
  | 'malformed'
  | 'invalid'
  | 'replayed'
  | 'locked'

/** Every MFA event names the user, and the request when the caller passed it (`{ request }`). */
export interface MfaEvent {
  /** The request the call was made for, when given in the call's context. */
  request?: FastifyRequest
  userId: string
}

/** `rampart:mfa:verified`: a code was accepted (`verify`, or `confirm` with `method: 'totp'`). */
export interface VerifiedEvent extends MfaEvent {
  method: MfaMethod
  /** Unused backup codes left after this verification. */
  remainingBackupCodes: number
}

/** `rampart:mfa:failed`: a code was refused. */
export interface FailedEvent extends MfaEvent {
  /** What the input looked like, or `null` when it was neither a TOTP nor a backup code. */
  method: MfaMethod | null
  reason: MfaFailureReason
}

/** `rampart:mfa:locked`: a failure reached a multiple of `maxFailures`; codes are refused until `lockedUntil`. */
export interface LockedEvent extends MfaEvent {
  failures: number
  /** Epoch milliseconds. */
  lockedUntil: number
}

/** `rampart:mfa:enrolled`: `setup` stored a new (not yet enabled) enrolment. */
export type EnrolledEvent = MfaEvent

/** `rampart:mfa:enabled`: `confirm` accepted a first code; MFA is on for the user. */
export type EnabledEvent = MfaEvent

/** `rampart:mfa:disabled`: `disable` deleted the user's record. */
export type DisabledEvent = MfaEvent

/** `rampart:mfa:backup-codes-regenerated`: a new set of backup codes replaced the old one. */
export interface BackupCodesRegeneratedEvent extends MfaEvent {
  count: number
}

export const verifiedChannel: EventChannel<VerifiedEvent> = new EventChannel<VerifiedEvent>(PACKAGE, 'verified')
export const failedChannel: EventChannel<FailedEvent> = new EventChannel<FailedEvent>(PACKAGE, 'failed')
export const lockedChannel: EventChannel<LockedEvent> = new EventChannel<LockedEvent>(PACKAGE, 'locked')
export const enrolledChannel: EventChannel<EnrolledEvent> = new EventChannel<EnrolledEvent>(PACKAGE, 'enrolled')
export const enabledChannel: EventChannel<EnabledEvent> = new EventChannel<EnabledEvent>(PACKAGE, 'enabled')
export const disabledChannel: EventChannel<DisabledEvent> = new EventChannel<DisabledEvent>(PACKAGE, 'disabled')
export const backupCodesRegeneratedChannel: EventChannel<BackupCodesRegeneratedEvent> =
  new EventChannel<BackupCodesRegeneratedEvent>(PACKAGE, 'backup-codes-regenerated')

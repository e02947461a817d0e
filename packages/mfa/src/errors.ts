import { defineError, defineRefusal } from '@rampart/core'

export const PACKAGE = 'mfa'

/** 401, a route that needs MFA and a request without an identity: `RAMPART_MFA_UNAUTHENTICATED`. */
export const UNAUTHENTICATED = defineRefusal(PACKAGE, 'UNAUTHENTICATED', 401, 'Unauthorized')

/**
 * 403, a route that needs MFA (`config.rampart.mfa: { required: true }`) and an identity whose
 * claims have no `amr` value saying a second factor was checked: `RAMPART_MFA_REQUIRED`.
 */
export const REQUIRED = defineRefusal(PACKAGE, 'REQUIRED', 403, 'Forbidden')

/**
 * 400, a code that was refused: wrong, already used, outside the window, malformed, or the user has
 * no enabled MFA (`sendMfaFailure`): `RAMPART_MFA_INVALID_CODE`. 400 as in the seed's tests.
 */
export const INVALID_CODE = defineRefusal(PACKAGE, 'INVALID_CODE', 400, 'Bad Request')

/** 429 with `Retry-After`, too many failed codes in a row (`sendMfaFailure`): `RAMPART_MFA_LOCKED`. */
export const LOCKED = defineRefusal(PACKAGE, 'LOCKED', 429, 'Too Many Requests')

/** `RAMPART_MFA_INVALID_ARGUMENT`: a method was called with a bad user id, account or secret (a programming error). */
export const InvalidArgumentError = defineError(PACKAGE, 'INVALID_ARGUMENT', '@rampart/mfa: %s', 500)

/** `RAMPART_MFA_ALREADY_ENABLED` (409): `setup` for a user whose MFA is enabled; `disable` it first. */
export const AlreadyEnabledError = defineError(PACKAGE, 'ALREADY_ENABLED', '@rampart/mfa: %s', 409)

/** `RAMPART_MFA_NOT_ENABLED` (409): `regenerateBackupCodes` for a user without enabled MFA. */
export const NotEnabledError = defineError(PACKAGE, 'NOT_ENABLED', '@rampart/mfa: %s', 409)

/** `RAMPART_MFA_STORE_FULL` (503): the memory store holds `maxRecords` enabled records and evicts none of them. */
export const StoreFullError = defineError(PACKAGE, 'STORE_FULL', '@rampart/mfa: %s', 503)

/** `RAMPART_MFA_CORRUPT_RECORD`: the store returned something that is not an MFA record (never read as "not enrolled"). */
export const CorruptRecordError = defineError(PACKAGE, 'CORRUPT_RECORD', '@rampart/mfa: %s', 500)

/** `RAMPART_MFA_CONFLICT` (503): a write lost the compare-and-set race too many times in a row. */
export const ConflictError = defineError(PACKAGE, 'CONFLICT', '@rampart/mfa: %s', 503)

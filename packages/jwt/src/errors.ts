import { defineError, defineRefusal } from '@rampart/core'

export const PACKAGE = 'jwt'

/** 401, a required route and no token: `RAMPART_JWT_MISSING`. */
export const MISSING = defineRefusal(PACKAGE, 'MISSING', 401, 'Unauthorized')

/** 401, a token that is malformed, forged, expired, revoked or not for us: `RAMPART_JWT_INVALID`. */
export const INVALID = defineRefusal(PACKAGE, 'INVALID', 401, 'Unauthorized')

/** 403, a valid token without a scope the route requires: `RAMPART_JWT_INSUFFICIENT_SCOPE`. */
export const INSUFFICIENT_SCOPE = defineRefusal(PACKAGE, 'INSUFFICIENT_SCOPE', 403, 'Forbidden')

/** 503, the JWKS or the revocation denylist could not be read, so the token could not be checked: `RAMPART_JWT_UNAVAILABLE`. */
export const UNAVAILABLE = defineRefusal(PACKAGE, 'UNAVAILABLE', 503, 'Service Unavailable')

/**
 * `RAMPART_JWT_KEYS_UNAVAILABLE` (503): the JWKS could not be fetched and the token's `kid` is not
 * among the keys known, so it cannot be told apart from a forged one. Thrown by `authenticate`.
 */
export const KeysUnavailableError = defineError(PACKAGE, 'KEYS_UNAVAILABLE', 'JWKS unavailable: %s', 503)

/** `RAMPART_JWT_DENYLIST_FAILED` (503): the revocation denylist (Redis) failed; the original error is its `cause`. */
export const DenylistFailedError = defineError(PACKAGE, 'DENYLIST_FAILED', 'JWT denylist failed: %s', 503)

/** `RAMPART_JWT_DENYLIST_FULL`: the in-memory denylist holds `maxEntries` live revocations; nothing was dropped. */
export const DenylistFullError = defineError(PACKAGE, 'DENYLIST_FULL', '@rampart/jwt: %s', 500)

/** `RAMPART_JWT_SIGN_FAILED`: a token could not be issued (no signing key, reserved or bad claims). */
export const SignFailedError = defineError(PACKAGE, 'SIGN_FAILED', '@rampart/jwt: cannot sign: %s', 500)

import { defineError, defineRefusal } from '@rampart/core'

export const PACKAGE = 'signature'

/** 401, a required route and no signature headers (or only some of them): `RAMPART_SIGNATURE_MISSING`. */
export const MISSING = defineRefusal(PACKAGE, 'MISSING', 401, 'Unauthorized')

/** 401, a malformed header or a signature that does not match the request: `RAMPART_SIGNATURE_INVALID`. */
export const INVALID = defineRefusal(PACKAGE, 'INVALID', 401, 'Unauthorized')

/** 401, a timestamp outside the tolerance (too old or too far in the future): `RAMPART_SIGNATURE_EXPIRED`. */
export const EXPIRED = defineRefusal(PACKAGE, 'EXPIRED', 401, 'Unauthorized')

/** 401, a nonce already used within the tolerance window: `RAMPART_SIGNATURE_REPLAYED`. */
export const REPLAYED = defineRefusal(PACKAGE, 'REPLAYED', 401, 'Unauthorized')

/** 401, a key id that is not configured: `RAMPART_SIGNATURE_UNKNOWN_KEY`. */
export const UNKNOWN_KEY = defineRefusal(PACKAGE, 'UNKNOWN_KEY', 401, 'Unauthorized')

/** 503, the nonce store failed (Redis down, memory store full), so a replay cannot be ruled out: `RAMPART_SIGNATURE_UNAVAILABLE`. */
export const UNAVAILABLE = defineRefusal(PACKAGE, 'UNAVAILABLE', 503, 'Service Unavailable')

/** `RAMPART_SIGNATURE_NONCE_STORE_FULL` (503): the memory nonce store holds `maxEntries` nonces that have not expired yet. */
export const NonceStoreFullError = defineError(PACKAGE, 'NONCE_STORE_FULL', '@rampart/signature: %s', 503)

/** `RAMPART_SIGNATURE_INVALID_ARGUMENT`: `signRequest` (or a store) was called with a bad argument. */
export const InvalidArgumentError = defineError(PACKAGE, 'INVALID_ARGUMENT', '@rampart/signature: %s', 500)

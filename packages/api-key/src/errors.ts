import { defineError, defineRefusal } from '@rampart/core'

export const PACKAGE = 'api-key'

/** 401, a required route and no API key: `RAMPART_API_KEY_MISSING`. */
export const MISSING = defineRefusal(PACKAGE, 'MISSING', 401, 'Unauthorized')

/** 401, an API key that is malformed, unknown or expired: `RAMPART_API_KEY_INVALID`. */
export const INVALID = defineRefusal(PACKAGE, 'INVALID', 401, 'Unauthorized')

/** 403, a valid key without a scope the route requires: `RAMPART_API_KEY_INSUFFICIENT_SCOPE`. */
export const INSUFFICIENT_SCOPE = defineRefusal(PACKAGE, 'INSUFFICIENT_SCOPE', 403, 'Forbidden')

/** 503, the key store or validator failed, so the key could not be checked: `RAMPART_API_KEY_UNAVAILABLE`. */
export const UNAVAILABLE = defineRefusal(PACKAGE, 'UNAVAILABLE', 503, 'Service Unavailable')

/**
 * `RAMPART_API_KEY_LOOKUP_FAILED` (503): the store or the `validate` hook threw, or returned a record
 * that is not one. Thrown by `authenticate`; the original error is its `cause`.
 */
export const LookupFailedError = defineError(PACKAGE, 'LOOKUP_FAILED', 'API key lookup failed: %s', 503)

/** `RAMPART_API_KEY_INVALID_RECORD`: a key record (option, store or `validate` result) is malformed. */
export const InvalidRecordError = defineError(PACKAGE, 'INVALID_RECORD', '@rampart/api-key: %s', 500)

/** `RAMPART_API_KEY_STORE_CONFLICT`: `put` was given a hash that already belongs to another key id. */
export const StoreConflictError = defineError(PACKAGE, 'STORE_CONFLICT', '@rampart/api-key: %s', 409)

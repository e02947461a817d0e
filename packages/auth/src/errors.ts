import { defineRefusal } from '@rampart/core'

export const PACKAGE = 'auth'

/** 401, a required route and no credentials (or, in `all` mode, not all of them): `RAMPART_AUTH_MISSING`. */
export const MISSING = defineRefusal(PACKAGE, 'MISSING', 401, 'Unauthorized')

/** 401, credentials present but not acceptable (expired, forged, unknown): `RAMPART_AUTH_INVALID`. */
export const INVALID = defineRefusal(PACKAGE, 'INVALID', 401, 'Unauthorized')

/** 403, authenticated without a scope the route requires: `RAMPART_AUTH_INSUFFICIENT_SCOPE`. */
export const INSUFFICIENT_SCOPE = defineRefusal(PACKAGE, 'INSUFFICIENT_SCOPE', 403, 'Forbidden')

/** 503, a strategy failed (its key store or JWKS is down), so nobody can be authenticated: `RAMPART_AUTH_UNAVAILABLE`. */
export const UNAVAILABLE = defineRefusal(PACKAGE, 'UNAVAILABLE', 503, 'Service Unavailable')

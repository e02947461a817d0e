import { defineRefusal } from '@rampart/core'

export const PACKAGE = 'csrf'

/** 403, an unsafe request with no token, or with no session and no pre-session cookie to bind one to: `RAMPART_CSRF_MISSING`. */
export const MISSING = defineRefusal(PACKAGE, 'MISSING', 403, 'Forbidden')

/** 403, a token that is malformed, forged, or bound to another session: `RAMPART_CSRF_INVALID`. */
export const INVALID = defineRefusal(PACKAGE, 'INVALID', 403, 'Forbidden')

/** 403, an unsafe request the browser says comes from another site (`Sec-Fetch-Site`): `RAMPART_CSRF_CROSS_SITE`. */
export const CROSS_SITE = defineRefusal(PACKAGE, 'CROSS_SITE', 403, 'Forbidden')

/** 403, an unsafe request whose `Origin` is `null` or not allowed: `RAMPART_CSRF_ORIGIN`. */
export const ORIGIN = defineRefusal(PACKAGE, 'ORIGIN', 403, 'Forbidden')

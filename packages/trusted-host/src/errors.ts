import { defineRefusal } from '@rampart/core'

export const PACKAGE = 'trusted-host'

/** 400 for a Host that is not in `allowedHosts`: `RAMPART_TRUSTED_HOST_NOT_ALLOWED`. */
export const HOST_NOT_ALLOWED = defineRefusal(PACKAGE, 'NOT_ALLOWED', 400, 'Bad Request')

/** 400 for a request without a usable Host (absent, empty or malformed): `RAMPART_TRUSTED_HOST_MISSING`. */
export const HOST_MISSING = defineRefusal(PACKAGE, 'MISSING', 400, 'Bad Request')

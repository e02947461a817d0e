import { defineRefusal } from '@rampart/core'

export const PACKAGE = 'rbac'

/** 401, a route that needs permissions and a request without an identity: `RAMPART_RBAC_UNAUTHENTICATED`. */
export const UNAUTHENTICATED = defineRefusal(PACKAGE, 'UNAUTHENTICATED', 401, 'Unauthorized')

/** 403, an identity without the permissions, roles or ownership the route needs: `RAMPART_RBAC_FORBIDDEN`. */
export const FORBIDDEN = defineRefusal(PACKAGE, 'FORBIDDEN', 403, 'Forbidden')

import { defineRefusal } from '@rampart/core'

export const PACKAGE = 'circuit-breaker'

/** 503 while a route's circuit is open (or half-open with every probe slot taken): `RAMPART_CIRCUIT_BREAKER_OPEN`. */
export const OPEN = defineRefusal(PACKAGE, 'OPEN', 503, 'Service Unavailable')

/** 503 when `abortOnTimeout` answers for a handler still running after `timeout`: `RAMPART_CIRCUIT_BREAKER_TIMEOUT`. */
export const TIMEOUT = defineRefusal(PACKAGE, 'TIMEOUT', 503, 'Service Unavailable')

import { defineError, defineRefusal, type RampartErrorConstructor } from '@rampart/core'

export const PACKAGE = 'ddos'

/** 429: the client already has `maxInFlight` requests in progress: `RAMPART_DDOS_TOO_MANY_IN_FLIGHT`. */
export const TOO_MANY_IN_FLIGHT = defineRefusal(PACKAGE, 'TOO_MANY_IN_FLIGHT', 429, 'Too Many Requests')

/** 403 with `Retry-After`: the client is banned for a cooldown: `RAMPART_DDOS_BANNED`. */
export const BANNED = defineRefusal(PACKAGE, 'BANNED', 403, 'Forbidden')

/** 503 with `Retry-After`: the process is shedding load: `RAMPART_DDOS_OVERLOADED`. */
export const OVERLOADED = defineRefusal(PACKAGE, 'OVERLOADED', 503, 'Service Unavailable')

/**
 * `fastify.rampartDdos.ban()`/`unban()` given something that is not a client or a duration:
 * `RAMPART_DDOS_INVALID_ARGUMENT` (status 400, should a route pass user input through).
 */
export const InvalidArgumentError: RampartErrorConstructor = defineError(PACKAGE, 'INVALID_ARGUMENT', '%s', 400)

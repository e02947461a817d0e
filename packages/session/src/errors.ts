import { defineError, defineRefusal } from '@rampart/core'

export const PACKAGE = 'session'

/**
 * 503, the session store failed (Redis down or slow) on a route that needs the session, so it can
 * be neither read nor saved: `RAMPART_SESSION_UNAVAILABLE`. Never a 500, never an anonymous pass.
 */
export const UNAVAILABLE = defineRefusal(PACKAGE, 'UNAVAILABLE', 503, 'Service Unavailable')

/**
 * 401, `regenerate()` was called on a session that was revoked or expired while the request was
 * being handled, so it cannot be carried over to a new id: `RAMPART_SESSION_ENDED`.
 */
export const ENDED = defineRefusal(PACKAGE, 'ENDED', 401, 'Unauthorized')

/** `RAMPART_SESSION_INVALID_ARGUMENT`: a session method or store was called with a bad argument. */
export const InvalidArgumentError = defineError(PACKAGE, 'INVALID_ARGUMENT', '@rampart/session: %s', 500)

/** `RAMPART_SESSION_DATA_INVALID`: the session's data does not serialise to JSON, or to more than `maxDataBytes`. */
export const SessionDataError = defineError(PACKAGE, 'DATA_INVALID', '@rampart/session: %s', 500)

/** `RAMPART_SESSION_NOT_REGISTERED`: a helper was called on a request of an app without the plugin. */
export const NotRegisteredError = defineError(
  PACKAGE,
  'NOT_REGISTERED',
  '@rampart/session: the plugin is not registered on this app (register @rampart/session first)',
  500,
)

/** `RAMPART_SESSION_INVALID_ROUTE_OPTION`: a route's `config.rampart.session` is not a boolean (fails the route's registration). */
export const InvalidRouteOptionError = defineError(PACKAGE, 'INVALID_ROUTE_OPTION', '@rampart/session: %s', 500)

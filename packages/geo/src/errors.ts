import { defineError, defineRefusal, type RefusalKind } from '@rampart/core'
import type { FastifyError } from 'fastify'

export const PACKAGE = 'geo'

/**
 * 403 for a client the country rules refuse (a blocked country, one outside `allowedCountries`,
 * or a private, unknown or failed lookup under a `'deny'` policy): `RAMPART_GEO_BLOCKED`.
 */
export const BLOCKED: RefusalKind = defineRefusal(PACKAGE, 'BLOCKED', 403, 'Forbidden')

/**
 * `RAMPART_GEO_ALREADY_REGISTERED`: the plugin was registered twice in one context (or below a
 * context that has it), or another plugin already decorates `request.country`.
 */
export const AlreadyRegisteredError: new () => FastifyError = defineError(
  PACKAGE,
  'ALREADY_REGISTERED',
  '@rampart/geo is already registered here, or another plugin decorates request.country: register it once and set different lists per route with config.rampart.geo',
  500,
)

/** `RAMPART_GEO_NOT_REGISTERED`: `geoLookup()` was called on a request of an app without @rampart/geo. */
export const NotRegisteredError: new () => FastifyError = defineError(
  PACKAGE,
  'NOT_REGISTERED',
  'geoLookup() needs @rampart/geo registered on the application (or a parent context) of the request',
  500,
)

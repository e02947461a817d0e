import { defineError, defineRefusal } from '@rampart/core'
import type { FastifyError } from 'fastify'

export const PACKAGE = 'cors'

/** 403 for a preflight from an origin that is not allowed: `RAMPART_CORS_ORIGIN_NOT_ALLOWED`. */
export const ORIGIN_NOT_ALLOWED = defineRefusal(PACKAGE, 'ORIGIN_NOT_ALLOWED', 403, 'Forbidden')

/**
 * 400 for an `OPTIONS` request that CORS would have to answer as a preflight but that lacks
 * `Origin` or `Access-Control-Request-Method`: `RAMPART_CORS_INVALID_PREFLIGHT`.
 */
export const INVALID_PREFLIGHT = defineRefusal(PACKAGE, 'INVALID_PREFLIGHT', 400, 'Bad Request')

/**
 * A route sets `config.cors` (the per-route override of @fastify/cors) to something other than
 * `false`: it would bypass every check of @rampart/cors. `RAMPART_CORS_ROUTE_CONFIG`.
 */
export const RouteConfigError: new (method: string, url: string) => FastifyError = defineError(
  PACKAGE,
  'ROUTE_CONFIG',
  '@rampart/cors: route %s %s sets config.cors, which would override the validated CORS policy unchecked; only config.cors = false (no CORS on this route) is allowed',
  500,
)

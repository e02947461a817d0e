import { defineError, defineRefusal } from '@rampart/core'
import type { FastifyError } from 'fastify'

export const PACKAGE = 'rate-limit'

/**
 * 429 for a request over a limit: `RAMPART_RATE_LIMIT_EXCEEDED`, type
 * `https://rampart.dev/problems/rate-limit/exceeded`.
 */
export const EXCEEDED = defineRefusal(PACKAGE, 'EXCEEDED', 429, 'Too Many Requests')

/** A route's `config.rampart.rateLimit` names a limiter (`limiter: 'x'`) that no instance has. */
export const UnknownLimiterError: new (route: string, limiter: string, known: string) => FastifyError = defineError(
  PACKAGE,
  'UNKNOWN_LIMITER',
  '@rampart/rate-limit: route %s names limiter "%s", but no @rampart/rate-limit instance has that name (registered: %s)',
)

/** Two sets of policies with one store scope but different layouts (a store shared by mistake). */
export const ScopeConflictError: new (scope: string, known: string, given: string) => FastifyError = defineError(
  PACKAGE,
  'SCOPE_CONFLICT',
  '@rampart/rate-limit: store scope "%s" is already registered with policies %s; got %s. Give each instance its own prefix.',
)

/**
 * 503 while the shared store is unavailable and a `fail-closed` policy applies:
 * `RAMPART_RATE_LIMIT_STORE_UNAVAILABLE`.
 */
export const STORE_UNAVAILABLE = defineRefusal(PACKAGE, 'STORE_UNAVAILABLE', 503, 'Service Unavailable')

/** 429 for a banned client (`ban` option): `RAMPART_RATE_LIMIT_BANNED`. */
export const BANNED = defineRefusal(PACKAGE, 'BANNED', 429, 'Too Many Requests')

import { defineError, defineRefusal, type RampartErrorConstructor } from '@rampart/core'

export const PACKAGE = 'metrics'

/**
 * 401 on the metrics endpoint: `protection.bearerToken` is set and the request has no bearer token
 * or another one: `RAMPART_METRICS_UNAUTHORIZED`.
 */
export const UNAUTHORIZED = defineRefusal(PACKAGE, 'UNAUTHORIZED', 401, 'Unauthorized')

/** 403 on the metrics endpoint: the client address is not in `protection.allowedIps`: `RAMPART_METRICS_FORBIDDEN`. */
export const FORBIDDEN = defineRefusal(PACKAGE, 'FORBIDDEN', 403, 'Forbidden')

/**
 * The registry already holds a metric of one of the plugin's names (another app, or your own
 * metric): `RAMPART_METRICS_DUPLICATE_METRIC`. Give each app its own registry, or a `prefix`.
 */
export const DuplicateMetricError: RampartErrorConstructor = defineError(
  PACKAGE,
  'DUPLICATE_METRIC',
  '@rampart/metrics: the registry already has a metric named "%s"; give this app its own registry (the default) or a distinct `prefix`',
)

/** The plugin is registered twice in one Fastify instance: `RAMPART_METRICS_ALREADY_REGISTERED`. */
export const AlreadyRegisteredError: RampartErrorConstructor = defineError(
  PACKAGE,
  'ALREADY_REGISTERED',
  '@rampart/metrics: already registered on this Fastify instance (fastify.rampartMetrics exists)',
)

import type { FastifyInstance } from 'fastify'

/** What a dependency check found. `degraded`: working, but slow or on a fallback. */
export interface HealthCheckResult {
  readonly status: 'healthy' | 'degraded' | 'down'
  /** Anything worth showing on `/health/detailed` (never secrets). */
  readonly detail?: Readonly<Record<string, unknown>>
}

/** A check of one dependency (Redis, PostgreSQL, ...). Throwing or rejecting counts as `down`. */
export type HealthCheck = () => HealthCheckResult | Promise<HealthCheckResult>

// Keyed by the HTTP server, which every encapsulated context of one app shares, so a plugin
// registered in any scope adds to the one list @rampart/health reads.
const registries = new WeakMap<object, Map<string, HealthCheck>>()

function registry(fastify: FastifyInstance): Map<string, HealthCheck> {
  let checks = registries.get(fastify.server)
  if (checks === undefined) {
    checks = new Map()
    registries.set(fastify.server, checks)
  }
  return checks
}

/**
 * Registers a dependency check under `name` (e.g. `rate-limit:redis`) for @rampart/health to run
 * on `/health/detailed`. Plugins call it for what they use; no plugin imports @rampart/health.
 */
export function addHealthCheck(fastify: FastifyInstance, name: string, check: HealthCheck): void {
  registry(fastify).set(name, check)
}

/** The checks registered for this app, by name. */
export function healthChecks(fastify: FastifyInstance): ReadonlyMap<string, HealthCheck> {
  return registry(fastify)
}

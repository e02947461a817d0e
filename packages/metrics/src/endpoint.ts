import { bearerTokenOf, protectEndpoint } from '@rampart/core'
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import { PACKAGE } from './errors.js'
import type { ResolvedMetricsOptions } from './options.js'

/** The bearer token of an `Authorization` header (core's parser, kept exported here for compatibility). */
export const bearerToken = bearerTokenOf

/** Adds `GET <endpoint>` (and Fastify's `HEAD`), serving the registry's exposition. */
export function addMetricsRoute(fastify: FastifyInstance, settings: ResolvedMetricsOptions, registry: Registry): void {
  if (settings.endpoint === false) return
  fastify.route({
    method: 'GET',
    url: settings.endpoint,
    config: { rampart: { metrics: settings.measureEndpoint } },
    ...(settings.protection === undefined
      ? {}
      : { onRequest: protectEndpoint(PACKAGE, 'metrics', settings.protection) }),
    handler: async function metricsEndpoint(_request, reply) {
      const body = await registry.metrics()
      reply.header('cache-control', 'no-store').type(registry.contentType)
      return body
    },
  })
}

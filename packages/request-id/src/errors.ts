import { defineError } from '@rampart/core'
import type { FastifyError } from 'fastify'

export const PACKAGE = 'request-id'

/**
 * `RAMPART_REQUEST_ID_CONFLICTING_FASTIFY_OPTION`: Fastify's own `requestIdHeader` is set, so Fastify
 * would take that header as the id, unchecked, before any generator runs.
 */
export const ConflictingFastifyOptionError: new (header: string) => FastifyError = defineError(
  PACKAGE,
  'CONFLICTING_FASTIFY_OPTION',
  "@rampart/request-id: Fastify's requestIdHeader is set to %s, so Fastify would use that header as the request id without any check; create Fastify with requestIdHeader: false and set this plugin's header option instead",
  500,
)

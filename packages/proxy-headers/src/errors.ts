import { defineError } from '@rampart/core'
import type { FastifyError } from 'fastify'

export const PACKAGE = 'proxy-headers'

/**
 * `RAMPART_PROXY_HEADERS_ALREADY_REGISTERED`: the plugin was registered twice on one instance.
 * There is one trust configuration per application; two would make plugins disagree on the client.
 */
export const AlreadyRegisteredError: new () => FastifyError = defineError(
  PACKAGE,
  'ALREADY_REGISTERED',
  '@rampart/proxy-headers is already registered on this instance: there is one trust configuration per application',
  500,
)

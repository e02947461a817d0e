import { problemClientErrorHandler, problemFrameworkErrors } from '@rampart/core'
import type { FastifyServerOptions } from 'fastify'

/**
 * Server options a plugin cannot set: spread them into `Fastify({ ...rampartServerOptions })` so
 * what Node's parser refuses and URLs Fastify cannot decode are answered like every refusal
 * (problem+json, the security headers, a request id) instead of Fastify's plain JSON.
 *
 * `requireHostHeader: false` hands an HTTP/1.1 request without `Host` to @rampart/trusted-host
 * (on in every phase), which refuses it as problem+json; Node would answer an empty 400 itself.
 * Leave it out if you turn trusted-host off.
 */
export const rampartServerOptions: Readonly<
  Pick<FastifyServerOptions, 'clientErrorHandler' | 'frameworkErrors'> & { http: { requireHostHeader: boolean } }
> = Object.freeze({
  clientErrorHandler: problemClientErrorHandler,
  frameworkErrors: problemFrameworkErrors,
  http: Object.freeze({ requireHostHeader: false }),
})

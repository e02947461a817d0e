import { declareClientAddress, getClientAddress, sendProblem } from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { refusedChannel } from './diagnostics.js'
import { HOST_MISSING, HOST_NOT_ALLOWED, PACKAGE } from './errors.js'
import { HostMatcher } from './host-matcher.js'
import { resolveOptions, type TrustedHostOptions } from './options.js'

async function rampartTrustedHost(fastify: FastifyInstance, options: TrustedHostOptions): Promise<void> {
  const settings = resolveOptions(options)
  const matcher = new HostMatcher(settings.allowedHosts)
  // `*`: every host is allowed, so there is nothing to check per request.
  if (matcher.matchesAny) return
  declareClientAddress(fastify)

  // onRequest: the Host is known before routing finishes; refuse before any other work or body
  // read. A callback hook: no promise per request.
  fastify.addHook('onRequest', function checkHost(request: FastifyRequest, reply: FastifyReply, done) {
    const host = getClientAddress(request).host
    if (host !== undefined && matcher.matches(host)) return done()
    if (refusedChannel.hasSubscribers) refusedChannel.publish({ request, host })
    if (host === undefined) {
      sendProblem(reply, HOST_MISSING, { detail: 'The request has no Host header, or a malformed one.' })
    } else {
      sendProblem(reply, HOST_NOT_ALLOWED, { detail: 'The requested host is not served here.' })
    }
  })
}

export { rampartTrustedHost }
export default fp(rampartTrustedHost, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

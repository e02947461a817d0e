import { declareRequestPath, PrefixMatcher, requestPath, sendProblem } from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { blockedChannel } from './diagnostics.js'
import { BLOCKED, PACKAGE } from './errors.js'
import { resolveOptions, type TemplateOptions } from './options.js'

async function rampartTemplate(fastify: FastifyInstance, options: TemplateOptions): Promise<void> {
  const settings = resolveOptions(options)
  const blocked = new PrefixMatcher(settings.blockedPaths.map((path) => [path, true] as const))
  declareRequestPath(fastify)

  // onRequest: the decision needs only the path, so refuse before any body is read.
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-rampart-template', settings.headerValue)
    if (blocked.size === 0) return
    const path = requestPath(request)
    if (blocked.match(path) === true) {
      if (blockedChannel.hasSubscribers) blockedChannel.publish({ request, path })
      return sendProblem(reply, BLOCKED, { detail: `${path} is blocked` })
    }
  })
}

export { rampartTemplate }
export default fp(rampartTemplate, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

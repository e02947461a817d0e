import { addHooklessHeaders } from '@rampart/core'
import type { DoneFuncWithErrOrRes, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ConflictingFastifyOptionError, PACKAGE } from './errors.js'
import { generatorFromSettings } from './generator.js'
import { type RequestIdOptions, resolveOptions } from './options.js'

async function rampartRequestId(fastify: FastifyInstance, options: RequestIdOptions): Promise<void> {
  const settings = resolveOptions(options)
  const fastifyHeader = fastify.initialConfig.requestIdHeader
  if (typeof fastifyHeader === 'string' && fastifyHeader.length > 0) {
    throw new ConflictingFastifyOptionError(JSON.stringify(fastifyHeader))
  }

  // Fastify calls the generator when it builds the request, before the first onRequest hook, and
  // binds the id to request.log itself: every hook, refusal and log line sees the final id.
  fastify.setGenReqId(generatorFromSettings(settings))

  // onSend runs for every reply sent through Fastify: handlers, refusals from any hook (whoever
  // registered it first), the not-found handler and the error handler (400, 413, 500).
  const header = settings.header
  fastify.addHook(
    'onSend',
    function echoRequestId(
      request: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
      done: DoneFuncWithErrOrRes,
    ): void {
      reply.header(header, request.id)
      done(null, payload)
    },
  )
  addHooklessHeaders(fastify, (requestId) => ({ [header]: requestId }))
}

export { rampartRequestId }
export default fp(rampartRequestId, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

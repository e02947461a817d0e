import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { defineRefusal, RefusalError, type RefusalKind, sendProblem } from './problem.js'

export const NOT_FOUND = defineRefusal('core', 'NOT_FOUND', 404, 'Not Found')
export const INTERNAL_ERROR = defineRefusal('core', 'INTERNAL_ERROR', 500, 'Internal Server Error')

const byStatus = new Map<number, RefusalKind>()

/** The refusal kind Fastify's own 4xx errors are reported as (`RAMPART_CORE_HTTP_<status>`). */
export function kindForStatus(status: number, title?: string): RefusalKind {
  let kind = byStatus.get(status)
  if (kind === undefined) {
    kind = defineRefusal(
      'core',
      `HTTP_${status}`,
      status,
      title ?? TITLES[status] ?? (status < 500 ? 'Client Error' : 'Server Error'),
    )
    byStatus.set(status, kind)
  }
  return kind
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  411: 'Length Required',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
}

/**
 * Error handler: a 4xx error (Fastify's parse errors, body limit, validation) becomes a
 * problem+json with its status and message; anything else is a 500 whose detail is not leaked.
 */
export function problemErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof RefusalError) return sendProblem(reply, error.kind, error.details)
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return sendProblem(reply, kindForStatus(status, TITLES[status] ?? 'Client Error'), {
      detail: error.message,
      extensions: error.code === undefined ? undefined : { errorCode: error.code },
    })
  }
  request.log.error({ err: error }, 'unhandled error')
  return sendProblem(
    reply,
    status >= 500 && status < 600 && status !== 500
      ? kindForStatus(status, TITLES[status] ?? 'Server Error')
      : INTERNAL_ERROR,
    {
      detail: 'The server could not complete the request.',
    },
  )
}

/** Not-found handler: 404 problem+json. */
export function problemNotFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, NOT_FOUND, { detail: `No route for ${request.method} ${request.url.split('?')[0]}` })
}

async function problemReplies(fastify: FastifyInstance): Promise<void> {
  fastify.setErrorHandler(problemErrorHandler)
  fastify.setNotFoundHandler(problemNotFoundHandler)
}

/**
 * Makes Fastify's own errors (404, 400 parse errors, 413, 415, validation) problem+json like
 * every Rampart refusal. Registered by @rampart/preset; register it yourself without the preset.
 */
export const problemRepliesPlugin = fp(problemReplies, { fastify: '5.x', name: '@rampart/core/problem-replies' })

import { IncomingMessage } from 'node:http'
import { declareRequestPath, resolvePerRoute, routeSettings, sendProblem } from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RequestPayload } from 'fastify'
import fp from 'fastify-plugin'
import { MALFORMED, parseContentLength } from './content-length.js'
import { CountingStream, closeHeaders } from './counting-stream.js'
import {
  invalidContentLengthChannel,
  nullByteChannel,
  tooLargeChannel,
  unsupportedMediaTypeChannel,
} from './diagnostics.js'
import { INVALID_CONTENT_LENGTH, NULL_BYTE, PACKAGE, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE } from './errors.js'
import { type MediaTypePolicy, parseMediaType } from './media-type.js'
import { hasNullByte } from './null-byte.js'
import { type ContentGuardOptions, resolveOptions } from './options.js'
import { PathLimits } from './path-limits.js'
import { type RouteGuard, RouteGuards } from './route-guard.js'

const kGuard = Symbol('rampart.content-guard.route')
/** The limit the body stream is counted against; -1: no stream to count. */
const kLimit = Symbol('rampart.content-guard.limit')
/** Node's HTTP/1 parser frames the body by a valid `Content-Length`: it cannot run past it. */
const kFramed = Symbol('rampart.content-guard.framed')

type GuardedRequest = FastifyRequest & { [kLimit]: number; [kFramed]: boolean }

async function rampartContentGuard(fastify: FastifyInstance, options: ContentGuardOptions): Promise<void> {
  const settings = resolveOptions(options)
  const config = fastify.initialConfig as typeof fastify.initialConfig & { routerOptions?: { caseSensitive?: boolean } }
  const caseSensitive = (config.routerOptions?.caseSensitive ?? config.caseSensitive) !== false
  const limits = new PathLimits(settings.limits, caseSensitive)
  const guards = new RouteGuards(settings, limits, config.bodyLimit ?? 1024 * 1024)
  const skip: ReadonlySet<string> = new Set(settings.skipMethods)
  const requireContentType = settings.requireContentType

  declareRequestPath(fastify)
  fastify.decorateRequest(kLimit, -1)
  fastify.decorateRequest(kFramed, false)
  resolvePerRoute(fastify, kGuard, (route, rampart) => guards.forRoute(route, rampart))

  // onRequest: everything the URL and headers decide, before a byte of the body is read.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const guard = routeSettings<RouteGuard>(request, kGuard) ?? guards.global
    if (!guard.enabled) return done()
    if (guard.rejectNullBytes && hasNullByte(request.url)) return refuseNullByte(request, reply)
    const method = request.method
    if (skip.has(method)) return done()

    const headers = request.headers
    const chunked = headers['transfer-encoding'] !== undefined
    const declared = headers['content-length']
    let length = -1
    if (declared !== undefined) {
      length = parseContentLength(declared)
      if (length === MALFORMED || chunked) return refuseContentLength(request, reply, declared, chunked)
    }

    // Outside Node's HTTP/1 parser (HTTP/2, inject) a body may come whatever the headers say.
    const framed = request.raw instanceof IncomingMessage
    if (length > 0 || chunked || !framed) {
      const limit = guard.fixedLimit >= 0 ? guard.fixedLimit : Math.min(limits.forRequest(request), guard.ceiling)
      if (length > limit) return refuseTooLarge(request, reply, limit, length)
      ;(request as GuardedRequest)[kLimit] = limit
      ;(request as GuardedRequest)[kFramed] = framed && length > 0
    }

    const policy = guard.types.get(method)
    if (policy !== undefined) {
      const contentType = headers['content-type']
      if (contentType === undefined) {
        if (requireContentType && (length > 0 || chunked)) {
          return refuseMediaType(request, reply, policy, undefined, undefined)
        }
      } else {
        const mediaType = parseMediaType(contentType)
        if (mediaType === undefined || !policy.allows(mediaType)) {
          return refuseMediaType(request, reply, policy, contentType, mediaType)
        }
      }
    }
    done()
  })

  // preParsing: count the bytes the parser reads, whatever parser it is (JSON, custom, stream).
  fastify.addHook(
    'preParsing',
    (
      request: FastifyRequest,
      reply: FastifyReply,
      payload: RequestPayload,
      done: (error: Error | null, payload?: RequestPayload) => void,
    ) => {
      const limit = (request as GuardedRequest)[kLimit]
      // No body, or Node's parser stops at a Content-Length already checked (unless an earlier hook
      // swapped the stream, e.g. for a decompressed one).
      if (limit < 0 || ((request as GuardedRequest)[kFramed] && payload === request.raw)) done(null, payload)
      else done(null, new CountingStream(payload, request, reply, limit))
    },
  )
}

function refuseNullByte(request: FastifyRequest, reply: FastifyReply): void {
  if (nullByteChannel.hasSubscribers) nullByteChannel.publish({ request })
  sendProblem(reply, NULL_BYTE, {
    detail: 'The request target contains a NUL byte.',
    headers: closeHeaders(request),
  })
}

function refuseContentLength(
  request: FastifyRequest,
  reply: FastifyReply,
  value: string | string[],
  chunked: boolean,
): void {
  const reason = chunked ? 'with-transfer-encoding' : 'malformed'
  if (invalidContentLengthChannel.hasSubscribers) invalidContentLengthChannel.publish({ request, value, reason })
  sendProblem(reply, INVALID_CONTENT_LENGTH, {
    detail: chunked
      ? 'Content-Length must not be sent with Transfer-Encoding.'
      : 'Content-Length must be a single non-negative decimal integer.',
    headers: closeHeaders(request),
  })
}

function refuseTooLarge(request: FastifyRequest, reply: FastifyReply, limit: number, received: number): void {
  if (tooLargeChannel.hasSubscribers) {
    tooLargeChannel.publish({ request, limit, received, source: 'content-length' })
  }
  sendProblem(reply, TOO_LARGE, {
    detail: `The request body exceeds the limit of ${limit} bytes.`,
    headers: closeHeaders(request),
    extensions: { limit },
  })
}

function refuseMediaType(
  request: FastifyRequest,
  reply: FastifyReply,
  policy: MediaTypePolicy,
  contentType: string | undefined,
  mediaType: string | undefined,
): void {
  const allowed = policy.allowed
  if (unsupportedMediaTypeChannel.hasSubscribers) {
    unsupportedMediaTypeChannel.publish({ request, contentType, mediaType, allowed })
  }
  let detail: string
  if (contentType === undefined) detail = 'A request body needs a Content-Type.'
  else if (mediaType === undefined) detail = 'The Content-Type is not a well-formed media type.'
  else detail = `${mediaType} is not accepted here.`
  sendProblem(reply, UNSUPPORTED_MEDIA_TYPE, {
    detail,
    headers: closeHeaders(request) === undefined ? policy.headers : policy.headersClose,
    extensions: { allowed },
  })
}

export { rampartContentGuard }
export default fp(rampartContentGuard, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

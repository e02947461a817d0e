import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { EventChannel } from './diagnostics.js'
import { PROBLEM_CONTENT_TYPE, problemBody, sendProblem } from './problem.js'
import { kindForStatus } from './problem-handlers.js'

/**
 * Headers for a reply that passes no Fastify hook, so no plugin's `onSend` adds its own: Node's
 * parser refusals (`clientErrorHandler`) and Fastify's `frameworkErrors` (undecodable URL, over-long
 * parameter). Gets the reply's request id and whether the connection is TLS; returns fixed strings.
 */
export type HooklessHeaderProvider = (requestId: string, secure: boolean) => Readonly<Record<string, string>>

const kProviders = Symbol.for('rampart.core.hooklessHeaders')
type WithProviders = FastifyInstance & { [kProviders]?: HooklessHeaderProvider[] }

/**
 * Registers the headers a plugin adds to every response, for the replies that skip hooks
 * (@rampart/headers and @rampart/request-id call it). Register those plugins on the root instance:
 * hookless replies belong to no route, so they see the root's providers.
 */
export function addHooklessHeaders(fastify: FastifyInstance, provider: HooklessHeaderProvider): void {
  const instance = fastify as WithProviders
  let providers = instance[kProviders]
  if (providers === undefined) {
    providers = []
    instance[kProviders] = providers
  }
  providers.push(provider)
}

/** The merged headers of every provider registered on `fastify`. */
export function hooklessHeaders(fastify: FastifyInstance, requestId: string, secure: boolean): Record<string, string> {
  const headers: Record<string, string> = {}
  const providers = (fastify as WithProviders)[kProviders]
  if (providers !== undefined) {
    for (const provider of providers) Object.assign(headers, provider(requestId, secure))
  }
  return headers
}

/** A refusal answered before Fastify built a request: Node's HTTP parser refused the bytes. */
export interface ClientErrorEvent {
  /** The status sent (400, 408 or 431). */
  status: number
  /** Node's error code, e.g. `HPE_INVALID_CONTENT_LENGTH`, `HPE_HEADER_OVERFLOW`. */
  code: string
  /** The peer's address (no proxy header was read: the request never parsed). */
  remoteAddress: string | undefined
  /** The request id sent in the body and the request-id header. */
  requestId: string
}

/** `rampart:core:client-error`: Node's parser refusals, which never reach `rampart:core:refusal`. */
export const clientErrorChannel: EventChannel<ClientErrorEvent> = new EventChannel<ClientErrorEvent>(
  'core',
  'client-error',
)

/**
 * Fastify `frameworkErrors` option: an undecodable URL (`/%FF`) or an over-long parameter becomes
 * a problem+json with the security headers and the request id, like every refusal, instead of
 * Fastify's plain JSON that echoes the target. `Fastify({ frameworkErrors: problemFrameworkErrors })`.
 */
export function problemFrameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status =
    error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
  const secure = (request.raw.socket as Socket & { encrypted?: boolean }).encrypted === true
  reply.headers(hooklessHeaders(reply.server, request.id, secure))
  sendProblem(reply, kindForStatus(status), {
    detail: status === 414 ? 'A path parameter exceeds the maximum length.' : 'The request target is not a valid URL.',
    extensions: error.code === undefined ? undefined : { errorCode: error.code },
  })
}

const CLIENT_ERROR_DETAILS: Readonly<Record<number, string>> = {
  400: 'The request is not valid HTTP.',
  408: 'The request was not received in time.',
  431: 'The request headers are too large.',
}

/**
 * Fastify `clientErrorHandler` option: what Node's HTTP parser refuses (duplicate or negative
 * `Content-Length`, `Content-Length` with `Transfer-Encoding`, a NUL, headers over the limit) is
 * answered with a problem+json, the security headers, a request id and `Connection: close`, and
 * published on `rampart:core:client-error`. `Fastify({ clientErrorHandler: problemClientErrorHandler })`.
 */
export function problemClientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
  const kind = kindForStatus(status)
  const requestId = randomUUID()
  if (clientErrorChannel.hasSubscribers) {
    clientErrorChannel.publish({
      status,
      code: error.code ?? 'UNKNOWN',
      remoteAddress: socket.remoteAddress,
      requestId,
    })
  }
  if (socket.writable) {
    const body = JSON.stringify(problemBody(kind, { detail: CLIENT_ERROR_DETAILS[status] }, requestId))
    const headers = hooklessHeaders(this, requestId, (socket as Socket & { encrypted?: boolean }).encrypted === true)
    let head = `HTTP/1.1 ${status} ${kind.title}\r\n`
    for (const name of Object.keys(headers)) head += `${name}: ${headers[name]}\r\n`
    head += `content-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`
    // end, not write + destroy: the answer is flushed before the connection closes.
    socket.end(head + body)
  } else {
    socket.destroy()
  }
}

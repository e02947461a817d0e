import type { FastifyReply } from 'fastify'
import { refusalChannel } from './diagnostics.js'
import { codeSegment, errorCode } from './errors.js'

/** Base of every `type` URI the suite sends. */
export const PROBLEM_TYPE_BASE = 'https://rampart.dev/problems/'
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

/** A kind of refusal, defined once at module load: its status, code, type URI and title. */
export interface RefusalKind {
  readonly source: string
  readonly status: number
  readonly code: string
  readonly type: string
  readonly title: string
}

/**
 * Defines a refusal kind: `defineRefusal('rate-limit', 'EXCEEDED', 429, 'Too Many Requests')`
 * has code `RAMPART_RATE_LIMIT_EXCEEDED` and type `https://rampart.dev/problems/rate-limit/exceeded`.
 */
export function defineRefusal(source: string, reason: string, status: number, title: string): RefusalKind {
  return Object.freeze({
    source,
    status,
    code: errorCode(source, reason),
    type: `${PROBLEM_TYPE_BASE}${codeSegment(source).toLowerCase().replace(/_/g, '-')}/${reason.toLowerCase().replace(/_/g, '-')}`,
    title,
  })
}

/** `Retry-After: 1`, for a 503 whose cause (a store, a key server) may be back any moment. */
export const RETRY_SOON: Readonly<Record<string, string>> = Object.freeze({ 'retry-after': '1' })

export interface ProblemDetails {
  /** Human-readable explanation specific to this occurrence. */
  detail?: string
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`, ...). */
  headers?: Readonly<Record<string, string | number | string[]>>
  /** Extension members added to the body (RFC 9457 section 3.2). */
  extensions?: Readonly<Record<string, unknown>>
}

/** The RFC 9457 body of a refusal. */
export function problemBody(kind: RefusalKind, details?: ProblemDetails, requestId?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: kind.type,
    title: kind.title,
    status: kind.status,
    code: kind.code,
  }
  if (details?.detail !== undefined) body.detail = details.detail
  if (requestId !== undefined) body.requestId = requestId
  if (details?.extensions !== undefined) {
    for (const key of Object.keys(details.extensions)) {
      if (!(key in body)) body[key] = details.extensions[key]
    }
  }
  return body
}

/**
 * The one way the suite refuses a request: `application/problem+json` with the kind's status,
 * any extra headers, and a `rampart:core:refusal` event. Returns the reply, so an async hook can
 * `return sendProblem(reply, kind, ...)`.
 */
export function sendProblem(reply: FastifyReply, kind: RefusalKind, details?: ProblemDetails): FastifyReply {
  const request = reply.request
  if (refusalChannel.hasSubscribers) {
    refusalChannel.publish({ request, status: kind.status, code: kind.code, source: kind.source })
  }
  if (details?.headers !== undefined) reply.headers(details.headers)
  return reply
    .code(kind.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemBody(kind, details, request.id)))
}

/**
 * A refusal raised where no reply is at hand (a body stream, a parser): throw or emit it, and
 * `problemErrorHandler` (registered by `problemRepliesPlugin`) sends it as the kind's problem+json.
 * Without that handler Fastify still answers with `statusCode`, never a 500.
 */
export class RefusalError extends Error {
  readonly kind: RefusalKind
  readonly details: ProblemDetails | undefined
  readonly statusCode: number
  readonly code: string

  constructor(kind: RefusalKind, details?: ProblemDetails) {
    super(details?.detail ?? kind.title)
    this.name = 'RefusalError'
    this.kind = kind
    this.details = details
    this.statusCode = kind.status
    this.code = kind.code
  }
}

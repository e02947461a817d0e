import { timingSafeEqual } from 'node:crypto'
import {
  type Access,
  addHealthCheck,
  declareRequestPath,
  OPTIONAL,
  PathPolicy,
  PUBLIC,
  perRouteSettings,
  quoted,
  REQUIRED,
  type RefusalKind,
  requestPath,
  routerCaseSensitive,
  sendProblem,
} from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest, RequestPayload } from 'fastify'
import fp from 'fastify-plugin'
import { canonicalString, EMPTY_BODY_SHA256, hmacSha256 } from './canonical.js'
import { type RejectionReason, rejectedChannel, verifiedChannel } from './diagnostics.js'
import { EXPIRED, INVALID, MISSING, PACKAGE, REPLAYED, UNAVAILABLE, UNKNOWN_KEY } from './errors.js'
import { HashingStream } from './hashing-stream.js'
import { NONCE_PATTERN, SIGNATURE_HEADERS, SIGNATURE_PATTERN, TIMESTAMP_PATTERN } from './headers.js'
import { MemoryNonceStore, type NonceStore } from './nonce-store.js'
import { type ResolvedSignatureOptions, resolveOptions, type SignatureOptions } from './options.js'
import { RedisNonceStore } from './redis-nonce-store.js'
import { NO_ROUTE, type RouteState, resolveRoute } from './route-config.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Id of the key whose signature @rampart/signature verified for this request; `null` when none was. */
    signatureKeyId: string | null
  }
}

/** A request whose headers passed the checks of `onRequest`, waiting for its body hash. */
interface PendingSignature {
  readonly keyId: string
  readonly secret: Buffer
  readonly signature: Buffer
  readonly timestamp: string
  readonly nonce: string
  readonly path: string
  readonly query: string
  stream: HashingStream | null
}

type WithPending = FastifyRequest & { [kPending]: PendingSignature | null }

const kPending = Symbol('rampart.signature.pending')
const kRoute = Symbol('rampart.signature.route')

/** Methods whose body Fastify never reads. */
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE'])
const ALL_HEADERS = [
  SIGNATURE_HEADERS.keyId,
  SIGNATURE_HEADERS.signature,
  SIGNATURE_HEADERS.timestamp,
  SIGNATURE_HEADERS.nonce,
] as const
const RETRY_AFTER = Object.freeze({ 'retry-after': '1' })

/** Whether Fastify will read a body for this request (its `handleRequest` rule); without one the body hash is that of no bytes. */
function mayHaveBody(request: FastifyRequest): boolean {
  if (BODYLESS.has(request.method)) return false
  const headers = request.headers
  if (headers['content-type'] !== undefined || headers['transfer-encoding'] !== undefined) return true
  const length = headers['content-length']
  return length !== undefined && length !== '0'
}

function createNonceStore(settings: ResolvedSignatureOptions): NonceStore {
  const store = settings.nonceStore
  if (store.kind === 'custom') return store.store
  if (store.kind === 'redis') return new RedisNonceStore({ redis: store.redis, prefix: store.prefix })
  return new MemoryNonceStore({ maxEntries: store.maxEntries, now: settings.now })
}

function usesSemicolonDelimiter(fastify: FastifyInstance): boolean {
  const config = fastify.initialConfig as { useSemicolonDelimiter?: boolean; routerOptions?: Record<string, unknown> }
  return (config.routerOptions?.useSemicolonDelimiter ?? config.useSemicolonDelimiter) === true
}

async function rampartSignature(fastify: FastifyInstance, options: SignatureOptions): Promise<void> {
  const settings = resolveOptions(options)
  const { keys, now } = settings
  const toleranceMs = settings.tolerance * 1000
  // A nonce must outlive every timestamp it can be accepted with, on every instance: twice the tolerance.
  const nonceTtl = settings.tolerance * 2
  const store = createNonceStore(settings)
  const challenge = Object.freeze({ 'www-authenticate': `RAMPART-HMAC-SHA256 realm=${quoted(settings.realm)}` })
  // With `useSemicolonDelimiter` the router ends the path at `;`: such a path is refused, never signed ambiguously.
  const semicolonEndsPath = usesSemicolonDelimiter(fastify)

  declareRequestPath(fastify)
  fastify.decorateRequest(kPending, null)
  if (!fastify.hasRequestDecorator('signatureKeyId')) fastify.decorateRequest('signatureKeyId', null)

  const rules: [string, Access][] = settings.publicPaths.map((path) => [path, PUBLIC])
  let fallback: Access = settings.required === true ? REQUIRED : OPTIONAL
  if (Array.isArray(settings.required)) {
    for (const path of settings.required) rules.push([path, REQUIRED])
    fallback = OPTIONAL
  }
  const paths = new PathPolicy(rules, fallback, routerCaseSensitive(fastify))
  // Per route once (routes registered before the plugin on their first request); 404s get the path rules.
  const routeState = perRouteSettings<RouteState>(
    fastify,
    kRoute,
    (route, rampart) => resolveRoute(route, rampart?.signature, paths),
    NO_ROUTE,
  )

  if (store instanceof RedisNonceStore) {
    const client = store.client
    addHealthCheck(fastify, 'signature:redis', async () => {
      await client.ping()
      return { status: 'healthy' }
    })
  }
  fastify.addHook('onClose', async () => {
    await store.close?.()
  })

  function refuse(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: RefusalKind,
    reason: RejectionReason,
    detail: string,
    keyId?: string,
    extensions?: Record<string, unknown>,
  ): FastifyReply {
    if (rejectedChannel.hasSubscribers) {
      rejectedChannel.publish(keyId === undefined ? { request, reason } : { request, reason, keyId })
    }
    const headers = kind.status === 401 ? challenge : RETRY_AFTER
    return sendProblem(reply, kind, extensions === undefined ? { detail, headers } : { detail, headers, extensions })
  }

  // onRequest: everything the headers alone decide (missing, malformed, unknown key, expired) is
  // refused before the body is read.
  fastify.addHook('onRequest', async function checkSignatureHeaders(request: FastifyRequest, reply: FastifyReply) {
    const state = routeState(request)
    const access = state.explicit ?? (Math.max(state.patternAccess, paths.match(requestPath(request))) as Access)
    if (access === PUBLIC) return
    const headers = request.headers
    const keyId = headers[SIGNATURE_HEADERS.keyId]
    const signature = headers[SIGNATURE_HEADERS.signature]
    const timestamp = headers[SIGNATURE_HEADERS.timestamp]
    const nonce = headers[SIGNATURE_HEADERS.nonce]
    if (keyId === undefined && signature === undefined && timestamp === undefined && nonce === undefined) {
      if (access !== REQUIRED) return
      return refuse(
        request,
        reply,
        MISSING,
        'missing',
        `This route requires a signed request (${ALL_HEADERS.join(', ')}).`,
      )
    }
    if (keyId === undefined || signature === undefined || timestamp === undefined || nonce === undefined) {
      const absent = ALL_HEADERS.filter((name) => headers[name] === undefined)
      return refuse(request, reply, MISSING, 'missing', `Missing signature header(s): ${absent.join(', ')}.`)
    }
    if (typeof keyId !== 'string' || typeof signature !== 'string' || !SIGNATURE_PATTERN.test(signature)) {
      return refuse(request, reply, INVALID, 'invalid', `${SIGNATURE_HEADERS.signature} must be 64 hex digits.`)
    }
    if (typeof timestamp !== 'string' || !TIMESTAMP_PATTERN.test(timestamp)) {
      return refuse(request, reply, INVALID, 'invalid', `${SIGNATURE_HEADERS.timestamp} must be Unix seconds.`)
    }
    if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) {
      return refuse(
        request,
        reply,
        INVALID,
        'invalid',
        `${SIGNATURE_HEADERS.nonce} must be 16 to 128 of A-Z a-z 0-9 - _.`,
      )
    }
    const secret = keys.get(keyId)
    if (secret === undefined) return refuse(request, reply, UNKNOWN_KEY, 'unknown-key', 'Unknown signing key id.')
    const clock = now()
    const skew = Number(timestamp) * 1000 - clock
    if (skew > toleranceMs || skew < -toleranceMs) {
      const detail = `${SIGNATURE_HEADERS.timestamp} is more than ${settings.tolerance} s ${skew < 0 ? 'in the past' : 'in the future'}.`
      return refuse(request, reply, EXPIRED, 'expired', detail, keyId, { serverTime: Math.floor(clock / 1000) })
    }
    const url = request.originalUrl
    const mark = url.indexOf('?')
    const path = mark === -1 ? url : url.slice(0, mark)
    if (path.includes('#') || (semicolonEndsPath && path.includes(';'))) {
      const detail = semicolonEndsPath
        ? 'A signed request path must not contain "#" or ";".'
        : 'A signed request path must not contain "#".'
      return refuse(request, reply, INVALID, 'invalid', detail, keyId)
    }
    ;(request as WithPending)[kPending] = {
      keyId,
      secret,
      signature: Buffer.from(signature, 'hex'),
      timestamp,
      nonce,
      path,
      query: mark === -1 ? '' : url.slice(mark + 1),
      stream: null,
    }
  })

  // preParsing: hash the body bytes as the parser reads them, whatever parser it is.
  fastify.addHook(
    'preParsing',
    (
      request: FastifyRequest,
      _reply: FastifyReply,
      payload: RequestPayload,
      done: (error: Error | null, payload?: RequestPayload) => void,
    ) => {
      const pending = (request as WithPending)[kPending]
      if (pending === null || !mayHaveBody(request)) {
        done(null, payload)
        return
      }
      const stream = new HashingStream(payload)
      pending.stream = stream
      done(null, stream as unknown as RequestPayload)
    },
  )

  // preValidation: the body has been read; check the signature, then (only then) spend the nonce.
  fastify.addHook('preValidation', async function verifySignature(request: FastifyRequest, reply: FastifyReply) {
    const pending = (request as WithPending)[kPending]
    if (pending === null) return
    const { keyId, stream } = pending
    let bodySha256 = EMPTY_BODY_SHA256
    if (stream !== null) {
      if (stream.digest === undefined) {
        if (request.is404) return
        request.log.warn(
          'signed request refused: its body was not read before the handler, so its hash is unknown (a content-type parser that passes the stream on?)',
        )
        return refuse(
          request,
          reply,
          INVALID,
          'invalid',
          'The request body was not read before the signature check, so it cannot be verified on this route.',
          keyId,
        )
      }
      bodySha256 = stream.digest
    }
    const expected = hmacSha256(
      pending.secret,
      canonicalString({
        method: request.method,
        path: pending.path,
        query: pending.query,
        timestamp: pending.timestamp,
        nonce: pending.nonce,
        bodySha256,
      }),
    )
    if (!timingSafeEqual(expected, pending.signature)) {
      return refuse(request, reply, INVALID, 'invalid', 'The signature does not match the request.', keyId)
    }
    let fresh: boolean
    try {
      fresh = await store.remember(`${keyId}:${pending.nonce}`, nonceTtl)
    } catch (error) {
      request.log.error({ err: error }, 'signature nonce store failed; request refused')
      return refuse(
        request,
        reply,
        UNAVAILABLE,
        'unavailable',
        'The request could not be checked for replay; retry later.',
        keyId,
      )
    }
    if (fresh !== true) {
      return refuse(request, reply, REPLAYED, 'replayed', 'This nonce has already been used.', keyId)
    }
    request.signatureKeyId = keyId
    if (verifiedChannel.hasSubscribers) verifiedChannel.publish({ request, keyId })
  })
}

export { rampartSignature }
export default fp(rampartSignature, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

import {
  declareClientAddress,
  declareRequestPath,
  PrefixMatcher,
  perRouteSettings,
  type RefusalKind,
  requestPath,
  routerCaseSensitive,
  sendProblem,
} from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { cookieAttributes, cookieValue, EXPIRE } from './cookies.js'
import { type RejectionReason, rejectedChannel } from './diagnostics.js'
import { CROSS_SITE, INVALID, MISSING, ORIGIN, PACKAGE } from './errors.js'
import { type CsrfOptions, resolveOptions } from './options.js'
import { OriginPolicy } from './origin-policy.js'
import { resolveRoute, UNCHECKED } from './route-config.js'
import { bodyToken, headerToken, mayCarryFormField } from './submitted-token.js'
import { type Binding, isRandomId, NOT_VALID, randomId, TokenSigner, VALID_CURRENT } from './token.js'

/** Issues and checks tokens outside the plugin's own hooks. */
export interface CsrfControl {
  /**
   * The token for the request's session (or, without one, its pre-session): the token cookie's
   * own while it is still valid for that session, else a new one, whose cookie (and pre-session
   * cookie) the reply sets. The same token for every call within a request. Call it after the
   * session is loaded (a handler, a `preHandler` registered after the session plugin).
   */
  token(request: FastifyRequest): string
  /** Whether `token` is valid for the request's session or pre-session (for checks the hooks do not make, e.g. a WebSocket message). */
  verify(request: FastifyRequest, token: string): boolean
  /** The form field a token is read from (`csrf_token`): the `name` of the hidden input. */
  readonly fieldName: string
  /** The first request header a token is read from (`x-csrf-token`). */
  readonly headerName: string
  /** The cookie page scripts read the token from (`__Host-csrf`). */
  readonly cookieName: string
}

declare module 'fastify' {
  interface FastifyReply {
    /** `fastify.csrf.token(request)` for this reply's request: the token to put in a form or hand to a script. */
    csrfToken(): string
  }
  interface FastifyInstance {
    /** @rampart/csrf: issue and check tokens. */
    csrf: CsrfControl
  }
}

/** RFC 9110 safe methods: never checked. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

const REFUSALS: Record<RejectionReason, [RefusalKind, string]> = {
  missing: [MISSING, 'This request needs a CSRF token in a header or a form field.'],
  'no-session': [MISSING, 'There is no session (or pre-session) this request could carry a valid CSRF token for.'],
  invalid: [INVALID, 'The CSRF token is malformed or was not issued for this session.'],
  'cross-site': [CROSS_SITE, 'Requests from another site may not change state here.'],
  origin: [ORIGIN, 'Requests from this origin may not change state here.'],
}

/** What `token()` issued during one request: written as Set-Cookie in `onSend`. */
interface Issued {
  binding: Binding
  token: string
  /** The token is new: set the token cookie. */
  setToken: boolean
  /** A pre-session id made in this request: set the pre-session cookie. */
  newPreSessionId: string | undefined
  /** The request has a session and still sends a pre-session cookie: expire it. */
  clearPreSession: boolean
}

const kCheck = Symbol('rampart.csrf.check')
const kIssued = Symbol('rampart.csrf.issued')
const kRoute = Symbol('rampart.csrf.route')

type CsrfRequest = FastifyRequest & { [kCheck]: boolean; [kIssued]: Issued | null }

async function rampartCsrf(fastify: FastifyInstance, options: CsrfOptions): Promise<void> {
  const settings = resolveOptions(options)
  const { sessionId, cookieName, preSessionCookieName, headerNames, fieldName } = settings
  const signer = new TokenSigner(settings.secrets)
  const policy = settings.fetchMetadata ? new OriginPolicy(settings.allowedOrigins, settings.allowSameSite) : undefined
  const exempt = new PrefixMatcher(
    settings.exemptPaths.map((path) => [path, true] as const),
    { caseSensitive: routerCaseSensitive(fastify) },
  )
  const tokenCookie = cookieAttributes({
    secure: settings.cookieSecure,
    httpOnly: false,
    sameSite: settings.cookieSameSite,
  })
  const preSessionCookie = cookieAttributes({
    secure: settings.cookieSecure,
    httpOnly: true,
    sameSite: settings.cookieSameSite,
  })
  declareClientAddress(fastify)
  declareRequestPath(fastify)
  fastify.decorateRequest(kCheck, false)
  fastify.decorateRequest(kIssued, null)
  const routeState = perRouteSettings(
    fastify,
    kRoute,
    (route, rampart) => resolveRoute(route, rampart?.csrf, settings.skipWhenNoCookies),
    UNCHECKED,
  )

  /** The session's binding, else the pre-session cookie's; `undefined` with neither. Issues nothing. */
  const bindingOf = (request: FastifyRequest): Binding | undefined => {
    const id = sessionId(request)
    if (typeof id === 'string' && id.length > 0) return { kind: 's', id }
    const preSession = cookieValue(request.headers.cookie, preSessionCookieName)
    return typeof preSession === 'string' && isRandomId(preSession) ? { kind: 'p', id: preSession } : undefined
  }

  const issue = (request: FastifyRequest): string => {
    const slot = request as CsrfRequest
    const previous = slot[kIssued]
    const cookies = request.headers.cookie
    const id = sessionId(request)
    let binding: Binding
    let newPreSessionId: string | undefined
    if (typeof id === 'string' && id.length > 0) {
      binding = { kind: 's', id }
    } else if (previous !== null && previous.binding.kind === 'p') {
      binding = previous.binding
      newPreSessionId = previous.newPreSessionId
    } else {
      const preSession = cookieValue(cookies, preSessionCookieName)
      if (typeof preSession === 'string' && isRandomId(preSession)) {
        binding = { kind: 'p', id: preSession }
      } else {
        newPreSessionId = randomId()
        binding = { kind: 'p', id: newPreSessionId }
      }
    }
    if (previous !== null && previous.binding.kind === binding.kind && previous.binding.id === binding.id) {
      return previous.token
    }
    // Not rotated per request: the cookie's token stays while it is valid for this session, so
    // every tab's form keeps working. A token of an older key is replaced by one of the current.
    const fromCookie = newPreSessionId === undefined ? cookieValue(cookies, cookieName) : undefined
    const reuse = typeof fromCookie === 'string' && signer.check(fromCookie, binding) === VALID_CURRENT
    const token = reuse ? (fromCookie as string) : signer.sign(binding)
    slot[kIssued] = {
      binding,
      token,
      setToken: !reuse,
      newPreSessionId,
      clearPreSession: binding.kind === 's' && cookieValue(cookies, preSessionCookieName) !== undefined,
    }
    return token
  }

  const verify = (request: FastifyRequest, token: string): boolean => {
    const binding = bindingOf(request)
    return binding !== undefined && typeof token === 'string' && signer.check(token, binding) !== NOT_VALID
  }

  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: RejectionReason): FastifyReply => {
    if (rejectedChannel.hasSubscribers) rejectedChannel.publish({ request, reason })
    const [kind, detail] = REFUSALS[reason]
    return sendProblem(reply, kind, { detail })
  }

  fastify.decorate(
    'csrf',
    Object.freeze({ token: issue, verify, fieldName, headerName: headerNames[0] as string, cookieName }),
  )
  fastify.decorateReply('csrfToken', function csrfToken(this: FastifyReply): string {
    return issue(this.request)
  })

  // onRequest: what needs no body is decided before the body is read, so a forged cross-site
  // post or a JSON call without the header costs no parsing.
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (SAFE_METHODS.has(request.method)) return
    const route = routeState(request)
    if (!route.checked) return
    if (exempt.size > 0 && exempt.match(requestPath(request)) === true) return
    if (route.skipWhenNoCookies) {
      const cookies = request.headers.cookie
      if (cookies === undefined || cookies.trim().length === 0) return
    }
    if (policy !== undefined) {
      const verdict = policy.check(request)
      if (verdict !== undefined) return refuse(request, reply, verdict)
    }
    if (
      headerToken(request.headers, headerNames) === undefined &&
      !mayCarryFormField(request.headers['content-type'])
    ) {
      return refuse(request, reply, 'missing')
    }
    ;(request as CsrfRequest)[kCheck] = true
  })

  // preHandler: after the body parser, so a form's field is read from `request.body`, never by
  // reading the stream again; after the session plugin's hooks, so the session id is known.
  fastify.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!(request as CsrfRequest)[kCheck]) return
    const token = headerToken(request.headers, headerNames) ?? bodyToken(request.body, fieldName)
    if (token === undefined) return refuse(request, reply, 'missing')
    const binding = bindingOf(request)
    if (binding === undefined) return refuse(request, reply, 'no-session')
    if (signer.check(token, binding) === NOT_VALID) return refuse(request, reply, 'invalid')
  })

  fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    const issued = (request as CsrfRequest)[kIssued]
    if (issued !== null) {
      const cookies: string[] = []
      if (issued.binding.kind === 'p' && issued.newPreSessionId !== undefined) {
        cookies.push(`${preSessionCookieName}=${issued.newPreSessionId}${preSessionCookie}`)
      }
      if (issued.clearPreSession) cookies.push(`${preSessionCookieName}=${preSessionCookie}${EXPIRE}`)
      if (issued.setToken) cookies.push(`${cookieName}=${issued.token}${tokenCookie}`)
      if (cookies.length > 0) reply.header('set-cookie', cookies)
    }
    done(null, payload)
  })
}

export { rampartCsrf }
export default fp(rampartCsrf, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors'
import { declareClientAddress, getClientAddress, sendProblem } from '@rampart/core'
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { rejectedOriginChannel } from './diagnostics.js'
import { INVALID_PREFLIGHT, ORIGIN_NOT_ALLOWED, PACKAGE, RouteConfigError } from './errors.js'
import { type CorsOptions, type ResolvedCorsOptions, resolveOptions } from './options.js'
import { OriginMatcher } from './origin-matcher.js'

const INVALID_PREFLIGHT_DETAIL = 'A CORS preflight needs both Origin and Access-Control-Request-Method.'
const ORIGIN_NOT_ALLOWED_DETAIL = 'This origin may not make cross-origin requests here.'

async function rampartCors(fastify: FastifyInstance, options: CorsOptions): Promise<void> {
  const settings = resolveOptions(options)
  const matcher = new OriginMatcher(settings.exactOrigins, settings.originPatterns)
  declareClientAddress(fastify)
  // @fastify/cors merges a route's config.cors over the global options: that would bypass every
  // check above, so only `false` (no CORS on that route) is accepted.
  fastify.addHook('onRoute', refuseRouteOverrides)

  if (settings.anyOrigin) {
    // onRequest, before @fastify/cors's own hook: with a fixed origin, @fastify/cors answers every
    // OPTIONS request as a preflight and refuses incomplete ones as text/plain; refuse them here as
    // problem+json instead.
    fastify.addHook('onRequest', function checkPreflight(request, reply, done) {
      if (
        request.raw.method !== 'OPTIONS' ||
        (request.headers.origin && request.headers['access-control-request-method']) ||
        routeDisablesCors(request)
      ) {
        return done()
      }
      sendProblem(reply, INVALID_PREFLIGHT, { detail: INVALID_PREFLIGHT_DETAIL })
    })
    // A fixed `*` is the same for every origin, so no `Vary: Origin` is needed.
    await fastify.register(fastifyCors, { ...corsOptions(settings), origin: '*' })
    return
  }

  // One origin asks many times in a row: both checks of a request (this hook's and @fastify/cors's
  // origin function) and its neighbours share one match.
  let lastOrigin = ''
  let lastAllowed = false
  const allows = (origin: string): boolean => {
    if (origin !== lastOrigin) {
      lastAllowed = matcher.allows(origin)
      lastOrigin = origin
    }
    return lastAllowed
  }

  // onRequest, before @fastify/cors's own hook and before any body is read: report what is not
  // allowed, refuse disallowed and malformed preflights as problem+json. A callback hook: no
  // promise per request.
  fastify.addHook('onRequest', function checkOrigin(request, reply, done) {
    const origin = request.headers.origin
    if (!origin || routeDisablesCors(request)) return done()
    const requestMethod = request.headers['access-control-request-method']
    const isOptions = request.raw.method === 'OPTIONS'
    if (allows(origin)) {
      // an OPTIONS request from an allowed origin is a preflight to @fastify/cors (strictPreflight)
      if (isOptions && !requestMethod) {
        sendProblem(reply, INVALID_PREFLIGHT, { detail: INVALID_PREFLIGHT_DETAIL })
        return
      }
      return done()
    }
    if (rejectedOriginChannel.hasSubscribers && !isSameOrigin(request, origin)) {
      rejectedOriginChannel.publish({ request, origin })
    }
    if (isOptions && requestMethod) {
      sendProblem(reply, ORIGIN_NOT_ALLOWED, { detail: ORIGIN_NOT_ALLOWED_DETAIL })
      return
    }
    done()
  })

  // Nothing allowed: no CORS header is ever sent, so @fastify/cors has nothing to do.
  if (matcher.empty) return

  // A sync origin function over the precompiled matcher, the fastest path through @fastify/cors
  // (measured against a delegator and an origin list). `true` reflects the allowed Origin, `false`
  // sends no CORS header; a function origin makes @fastify/cors add `Vary: Origin` to every response.
  await fastify.register(fastifyCors, {
    ...corsOptions(settings),
    origin(origin: string | undefined, callback: (error: Error | null, allow: boolean) => void): void {
      callback(null, origin !== undefined && allows(origin))
    },
  })
}

/** The @fastify/cors options, but `origin`, from the resolved settings. */
function corsOptions(settings: ResolvedCorsOptions): FastifyCorsOptions {
  const options: FastifyCorsOptions = {
    hook: 'onRequest',
    credentials: settings.credentials,
    methods: [...settings.methods],
    allowedHeaders: [...settings.allowedHeaders],
    maxAge: settings.maxAge,
    preflight: true,
    strictPreflight: true,
    preflightContinue: false,
    optionsSuccessStatus: 204,
  }
  if (settings.exposedHeaders.length > 0) options.exposedHeaders = [...settings.exposedHeaders]
  return options
}

function refuseRouteOverrides(route: RouteOptions): void {
  const override = (route.config as { cors?: unknown } | undefined)?.cors
  if (override !== undefined && override !== false) {
    throw new RouteConfigError(Array.isArray(route.method) ? route.method.join(',') : route.method, route.url)
  }
}

function routeDisablesCors(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { cors?: unknown }).cors === false
}

/** A browser sends Origin on same-origin POSTs too; those are no cross-origin attempt. */
function isSameOrigin(request: FastifyRequest, origin: string): boolean {
  const { protocol, host } = getClientAddress(request)
  if (host === undefined) return false
  const own = `${protocol}://${host}`
  return origin === own || `${origin}${protocol === 'https' ? ':443' : ':80'}` === own
}

export { rampartCors }
export default fp(rampartCors, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

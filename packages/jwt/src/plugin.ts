import {
  type Access,
  type AuthOutcome,
  challengeWith,
  declareIdentity,
  declareRequestPath,
  OPTIONAL,
  PathPolicy,
  PUBLIC,
  perRouteSettings,
  REQUIRED,
  RETRY_SOON,
  requestPath,
  routerCaseSensitive,
  sendProblem,
} from '@rampart/core'
import type { DoneFuncWithErrOrRes, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { type RejectionReason, rejectedChannel } from './diagnostics.js'
import { INSUFFICIENT_SCOPE, INVALID, MISSING, PACKAGE, UNAVAILABLE } from './errors.js'
import { type JwtPluginOptions, resolveOptions } from './options.js'
import { NO_ROUTE, type RouteState, resolveRoute } from './route-config.js'
import { type JwtStrategy, strategyFromSettings } from './strategy.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** @rampart/jwt's strategy: `sign`, `issue`, `revoke`, `stats`, `authenticate`. */
    rampartJwt: JwtStrategy
  }
}

const kRoute = Symbol('rampart.jwt.route')

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T>).then === 'function'
}

async function rampartJwt(fastify: FastifyInstance, options: JwtPluginOptions): Promise<void> {
  const settings = resolveOptions(options)
  const strategy = strategyFromSettings(settings, fastify.log)
  declareRequestPath(fastify)
  declareIdentity(fastify)
  fastify.decorate('rampartJwt', strategy)

  const rules: [string, Access][] = []
  for (const path of settings.publicPaths) rules.push([path, PUBLIC])
  for (const path of settings.requiredPaths) rules.push([path, REQUIRED])
  const paths = new PathPolicy(rules, OPTIONAL, routerCaseSensitive(fastify))
  const challenge = strategy.challenge
  // Per route once (routes registered before the plugin on their first request); 404s get the defaults.
  const routeState = perRouteSettings<RouteState>(
    fastify,
    kRoute,
    (route, rampart) => resolveRoute(route, rampart?.jwt, paths, challenge),
    NO_ROUTE,
  )
  fastify.addHook('onClose', async () => strategy.close())

  function refuse(
    request: FastifyRequest,
    reply: FastifyReply,
    reason: RejectionReason,
    description: string,
    header: string,
  ): FastifyReply {
    if (rejectedChannel.hasSubscribers) rejectedChannel.publish({ request, reason, description })
    const kind = reason === 'missing' ? MISSING : INSUFFICIENT_SCOPE
    return sendProblem(reply, kind, { detail: description, headers: { 'www-authenticate': header } })
  }

  function decide(
    request: FastifyRequest,
    reply: FastifyReply,
    state: RouteState,
    access: Access,
    outcome: AuthOutcome,
  ): FastifyReply | undefined {
    if (outcome.status === 'absent') {
      return access === REQUIRED
        ? refuse(request, reply, 'missing', 'a bearer token is required', challenge)
        : undefined
    }
    if (outcome.status === 'invalid') {
      // The strategy published `rejected` with the precise reason already.
      const header = challengeWith(challenge, [
        ['error', outcome.error],
        ['error_description', outcome.description],
      ])
      return sendProblem(reply, INVALID, { detail: outcome.description, headers: { 'www-authenticate': header } })
    }
    const identity = outcome.identity
    request.identity = identity
    for (const scope of state.scopes) {
      if (!identity.scopes.includes(scope)) {
        return refuse(request, reply, 'insufficient-scope', `missing scope: ${scope}`, state.scopeChallenge)
      }
    }
    return undefined
  }

  async function unavailable(request: FastifyRequest, reply: FastifyReply, pending: Promise<AuthOutcome>) {
    try {
      return await pending
    } catch (error) {
      request.log.error({ err: error }, '@rampart/jwt: token could not be checked')
      if (rejectedChannel.hasSubscribers) {
        rejectedChannel.publish({ request, reason: 'unavailable', description: 'token could not be checked' })
      }
      sendProblem(reply, UNAVAILABLE, { detail: 'The token could not be checked; retry later.', headers: RETRY_SOON })
      return undefined
    }
  }

  // A callback hook: a cached token (or none) is decided synchronously, with no promise; only a
  // verification that waits (JWKS, a Redis denylist) goes through one.
  fastify.addHook(
    settings.hook,
    function authenticateJwt(request: FastifyRequest, reply: FastifyReply, done: DoneFuncWithErrOrRes) {
      const state = routeState(request)
      const access = state.explicit ?? (Math.max(state.patternAccess, paths.match(requestPath(request))) as Access)
      if (access === PUBLIC) return done()
      let outcome: AuthOutcome | Promise<AuthOutcome>
      try {
        outcome = strategy.authenticate(request)
      } catch (error) {
        outcome = Promise.reject(error)
      }
      if (!isPromise(outcome)) {
        if (decide(request, reply, state, access, outcome) === undefined) done()
        return
      }
      unavailable(request, reply, outcome).then((settled) => {
        // undefined: refused with 503 already.
        if (settled === undefined) return
        let sent: FastifyReply | undefined
        try {
          sent = decide(request, reply, state, access, settled)
        } catch (error) {
          done(error as Error)
          return
        }
        if (sent === undefined) done()
      }, done)
    },
  )
}

export { rampartJwt }
export default fp(rampartJwt, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

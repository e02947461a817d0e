import {
  type Access,
  type AuthOutcome,
  challengeWith,
  declareIdentity,
  declareRequestPath,
  type Identity,
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
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { authenticatedChannel, type FailureReason, failedChannel } from './diagnostics.js'
import { INSUFFICIENT_SCOPE, INVALID, MISSING, PACKAGE, UNAVAILABLE } from './errors.js'
import { type ApiKeyPluginOptions, resolveOptions } from './options.js'
import { NO_ROUTE, type RouteState, resolveRoute } from './route-config.js'
import { strategyFromSettings } from './strategy.js'

const kRoute = Symbol('rampart.api-key.route')

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T>).then === 'function'
}

async function rampartApiKey(fastify: FastifyInstance, options: ApiKeyPluginOptions): Promise<void> {
  const settings = resolveOptions(options)
  const strategy = strategyFromSettings(settings)
  declareRequestPath(fastify)
  declareIdentity(fastify)

  const rules: [string, Access][] = []
  for (const path of settings.publicPaths) rules.push([path, PUBLIC])
  for (const path of settings.requiredPaths) rules.push([path, REQUIRED])
  const paths = new PathPolicy(rules, OPTIONAL, routerCaseSensitive(fastify))
  const challenge = strategy.challenge
  // Per route once (routes registered before the plugin on their first request); 404s get the defaults.
  const routeState = perRouteSettings<RouteState>(
    fastify,
    kRoute,
    (route, rampart) => resolveRoute(route, rampart?.apiKey, paths, challenge),
    NO_ROUTE,
  )
  fastify.addHook('onClose', async () => strategy.clearCache())

  function refuse(
    request: FastifyRequest,
    reply: FastifyReply,
    reason: FailureReason,
    description: string,
    header: string,
  ): FastifyReply {
    if (failedChannel.hasSubscribers) failedChannel.publish({ request, reason, description })
    const kind = reason === 'missing' ? MISSING : reason === 'invalid' ? INVALID : INSUFFICIENT_SCOPE
    return sendProblem(reply, kind, { detail: description, headers: { 'www-authenticate': header } })
  }

  function decide(
    request: FastifyRequest,
    reply: FastifyReply,
    state: RouteState,
    access: Access,
    outcome: AuthOutcome,
  ) {
    if (outcome.status === 'absent') {
      return access === REQUIRED ? refuse(request, reply, 'missing', 'an API key is required', challenge) : undefined
    }
    if (outcome.status === 'invalid') {
      const header = challengeWith(challenge, [
        ['error', outcome.error],
        ['error_description', outcome.description],
      ])
      return refuse(request, reply, 'invalid', outcome.description, header)
    }
    const identity: Identity = outcome.identity
    request.identity = identity
    if (authenticatedChannel.hasSubscribers) {
      authenticatedChannel.publish({ request, keyId: String(identity.claims?.keyId), identity })
    }
    for (const scope of state.scopes) {
      if (!identity.scopes.includes(scope)) {
        return refuse(request, reply, 'insufficient-scope', `missing scope: ${scope}`, state.scopeChallenge)
      }
    }
    return undefined
  }

  fastify.addHook(settings.hook, async function authenticateApiKey(request: FastifyRequest, reply: FastifyReply) {
    const state = routeState(request)
    const access = state.explicit ?? (Math.max(state.patternAccess, paths.match(requestPath(request))) as Access)
    if (access === PUBLIC) return
    let outcome = strategy.authenticate(request)
    if (isPromise(outcome)) {
      try {
        outcome = await outcome
      } catch (error) {
        request.log.error({ err: error }, 'API key lookup failed')
        if (failedChannel.hasSubscribers) {
          failedChannel.publish({ request, reason: 'unavailable', description: 'API key lookup failed' })
        }
        return sendProblem(reply, UNAVAILABLE, {
          detail: 'The API key could not be checked; retry later.',
          headers: RETRY_SOON,
        })
      }
    }
    return decide(request, reply, state, access, outcome)
  })
}

export { rampartApiKey }
export default fp(rampartApiKey, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

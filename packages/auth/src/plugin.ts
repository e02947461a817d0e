import {
  ACCESS,
  type Access,
  challengeWith,
  declareIdentity,
  declareRequestPath,
  type Identity,
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
import { compose, type Decision, StrategyFailure } from './composer.js'
import { authenticatedChannel, failedChannel } from './diagnostics.js'
import { INSUFFICIENT_SCOPE, INVALID, MISSING, PACKAGE, UNAVAILABLE } from './errors.js'
import { type AuthOptions, resolveOptions } from './options.js'
import { defaultState, type RouteState, resolveRoute } from './route-config.js'

/** Which strategies authenticated a request, and the identity each produced. */
export interface Authentication {
  /** Strategy names, in the order they ran (one in `first` mode). */
  readonly strategies: readonly string[]
  /** Their identities, in the same order; `request.identity` is built from them. */
  readonly identities: readonly Identity[]
}

const kAuthentication = Symbol('rampart.auth.authentication')
const kRoute = Symbol('rampart.auth.route')
type WithAuthentication = FastifyRequest & { [kAuthentication]: Authentication | null }

/** How the request was authenticated, or `null` (anonymous, public route, or auth not run yet). */
export function getAuthentication(request: FastifyRequest): Authentication | null {
  return (request as WithAuthentication)[kAuthentication] ?? null
}

function names(strategies: readonly { name: string }[]): string {
  return strategies.map((strategy) => strategy.name).join('+')
}

async function rampartAuth(fastify: FastifyInstance, options: AuthOptions): Promise<void> {
  const settings = resolveOptions(options)
  declareRequestPath(fastify)
  declareIdentity(fastify)
  if (!fastify.hasRequestDecorator(kAuthentication)) fastify.decorateRequest(kAuthentication, null)

  const rules: [string, Access][] = [
    ...settings.publicPaths.map((path): [string, Access] => [path, ACCESS.public]),
    ...settings.optionalPaths.map((path): [string, Access] => [path, ACCESS.optional]),
    ...settings.requiredPaths.map((path): [string, Access] => [path, ACCESS.required]),
  ]
  const paths = new PathPolicy(rules, ACCESS[settings.defaultPolicy], routerCaseSensitive(fastify))
  const defaults = defaultState(settings.strategies, settings.mode)
  // Per route once (routes registered before the plugin on their first request); 404s get the defaults.
  const routeState = perRouteSettings<RouteState>(
    fastify,
    kRoute,
    (route, rampart) => resolveRoute(route, rampart?.auth, paths, defaults),
    defaults,
  )

  /** 401 with one `WWW-Authenticate` field line per scheme of the route (RFC 9110 section 11.6.1). */
  function unauthorized(
    request: FastifyRequest,
    reply: FastifyReply,
    state: RouteState,
    decision: Decision & { kind: 'anonymous' | 'incomplete' | 'invalid' },
  ): FastifyReply {
    let challenges = state.challenges
    let detail: string
    if (decision.kind === 'invalid') {
      const failed = decision.strategy
      const params = [['error', decision.error] as const, ['error_description', decision.description] as const]
      challenges = state.strategies.map((strategy) =>
        strategy === failed ? challengeWith(strategy.challenge, params) : strategy.challenge,
      )
      detail = `${failed.name}: ${decision.description}`
      if (failedChannel.hasSubscribers) {
        failedChannel.publish({ request, strategy: failed.name, reason: 'invalid', description: decision.description })
      }
    } else if (decision.kind === 'incomplete') {
      detail = `Authentication incomplete: also required: ${decision.missing.map((strategy) => strategy.name).join(', ')}`
      if (failedChannel.hasSubscribers) {
        failedChannel.publish({ request, strategy: null, reason: 'incomplete', description: detail })
      }
    } else {
      detail = 'Authentication required'
      if (failedChannel.hasSubscribers) {
        failedChannel.publish({ request, strategy: null, reason: 'missing', description: detail })
      }
    }
    reply.header('www-authenticate', challenges.length === 1 ? challenges[0] : challenges)
    return sendProblem(reply, decision.kind === 'invalid' ? INVALID : MISSING, { detail })
  }

  function forbidden(
    request: FastifyRequest,
    reply: FastifyReply,
    state: RouteState,
    decision: Decision & { kind: 'authenticated' },
    missing: string,
  ): FastifyReply {
    const strategy = names(decision.strategies)
    const description = `missing scope: ${missing}`
    if (failedChannel.hasSubscribers) {
      failedChannel.publish({ request, strategy, reason: 'insufficient-scope', description })
    }
    const params = [['error', 'insufficient_scope'] as const, ['scope', state.scopes.join(' ')] as const]
    const challenges = decision.strategies.map((used) => challengeWith(used.challenge, params))
    reply.header('www-authenticate', challenges.length === 1 ? challenges[0] : challenges)
    return sendProblem(reply, INSUFFICIENT_SCOPE, { detail: description })
  }

  fastify.addHook(settings.hook, async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const state = routeState(request)
    const access = state.explicit ?? (Math.max(state.patternAccess, paths.match(requestPath(request))) as Access)
    if (access === PUBLIC) return
    let decision: Decision
    try {
      decision = await compose(request, state.strategies, state.mode)
    } catch (error) {
      const strategy = error instanceof StrategyFailure ? error.strategy.name : null
      request.log.error(
        { err: error instanceof StrategyFailure ? error.cause : error, strategy },
        'authentication failed',
      )
      if (failedChannel.hasSubscribers) {
        failedChannel.publish({ request, strategy, reason: 'unavailable', description: 'strategy failed' })
      }
      return sendProblem(reply, UNAVAILABLE, {
        detail: 'Credentials could not be checked; retry later.',
        headers: RETRY_SOON,
      })
    }
    if (decision.kind === 'anonymous') {
      return access === REQUIRED ? unauthorized(request, reply, state, decision) : undefined
    }
    if (decision.kind !== 'authenticated') return unauthorized(request, reply, state, decision)

    request.identity = decision.identity
    ;(request as WithAuthentication)[kAuthentication] = {
      strategies: decision.strategies.map((strategy) => strategy.name),
      identities: decision.identities,
    }
    if (authenticatedChannel.hasSubscribers) {
      authenticatedChannel.publish({ request, strategy: names(decision.strategies), identity: decision.identity })
    }
    for (const scope of state.scopes) {
      if (!decision.identity.scopes.includes(scope)) return forbidden(request, reply, state, decision, scope)
    }
    return undefined
  })
}

export { rampartAuth }
export default fp(rampartAuth, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

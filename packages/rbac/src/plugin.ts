import {
  declareIdentity,
  declareRequestPath,
  PrefixMatcher,
  perRouteSettings,
  requestPath,
  routerCaseSensitive,
} from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createRbac, type Rbac } from './api.js'
import { Authorizer } from './authorizer.js'
import { Enforcer } from './enforcer.js'
import { PACKAGE } from './errors.js'
import { type RbacOptions, resolveOptions } from './options.js'
import { NOT_FOUND, type RouteState, resolveRoute } from './route-config.js'
import type { CompiledRule } from './rule.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** @rampart/rbac: `can`, `requirePermission`, `assertOwnership`, ... */
    rbac: Rbac
  }
}

const kRoute = Symbol('rampart.rbac.route')

async function rampartRbac(fastify: FastifyInstance, options: RbacOptions): Promise<void> {
  const settings = resolveOptions(options)
  declareIdentity(fastify)
  declareRequestPath(fastify)

  const context = { roles: settings.roles, wildcards: settings.wildcards }
  const enforcer = new Enforcer(new Authorizer(settings), settings)
  fastify.decorate('rbac', createRbac(enforcer, context))

  const paths =
    settings.pathRules.length === 0
      ? null
      : new PrefixMatcher<CompiledRule>(settings.pathRules, { caseSensitive: routerCaseSensitive(fastify) })
  // Per route once (routes added before the plugin on their first request); 404s get path rules only.
  const routeState = perRouteSettings<RouteState>(
    fastify,
    kRoute,
    (route, rampart) => resolveRoute(route, rampart?.rbac, paths, context),
    NOT_FOUND,
  )

  // After authentication (onRequest by default) has set request.identity; preHandler by default,
  // so the body is parsed and validated when a handler's own ownership check runs after it.
  fastify.addHook(settings.hook, async function authorize(request: FastifyRequest, reply: FastifyReply) {
    const state = routeState(request)
    if (state.exempt) return undefined
    const rules = state.rules
    for (let index = 0; index < rules.length; index++) {
      const refused = enforcer.enforce(request, reply, rules[index] as CompiledRule)
      if (refused !== undefined) return refused
    }
    if (paths === null) return undefined
    // The request path too: a wildcard route (`/api/*`) serves paths its pattern does not show.
    const pathRule = paths.match(requestPath(request))
    if (pathRule === undefined || rules.includes(pathRule)) return undefined
    return enforcer.enforce(request, reply, pathRule)
  })
}

export { rampartRbac }
export default fp(rampartRbac, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

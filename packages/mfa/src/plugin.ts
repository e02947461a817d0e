import { declareIdentity, type ProblemDetails, perRouteSettings, sendProblem } from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { PACKAGE, REQUIRED, UNAUTHENTICATED } from './errors.js'
import { createMfaFromSettings, type Mfa } from './mfa.js'
import { type MfaPluginOptions, resolvePluginOptions } from './options.js'
import { hasSecondFactor, resolveRoute } from './route-config.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** @rampart/mfa: `setup`, `confirm`, `verify`, `disable`, `regenerateBackupCodes`, `status`. */
    mfa: Mfa
  }
}

const kRoute = Symbol('rampart.mfa.route')

async function rampartMfa(fastify: FastifyInstance, options: MfaPluginOptions): Promise<void> {
  const { mfa: mfaSettings, plugin: settings } = resolvePluginOptions(options)
  const mfa = createMfaFromSettings(mfaSettings)
  fastify.decorate('mfa', mfa)
  const store = mfa.store
  if (typeof store.close === 'function') fastify.addHook('onClose', async () => store.close?.())

  declareIdentity(fastify)
  const unauthenticated: ProblemDetails = Object.freeze({
    detail: 'Authentication required',
    ...(settings.challenge === null ? {} : { headers: Object.freeze({ 'www-authenticate': settings.challenge }) }),
  })
  const required: ProblemDetails = Object.freeze({ detail: 'This route requires multi-factor authentication' })
  const amrValues = settings.amrValues
  // Once per route (routes added before the plugin on their first request); 404s need nothing.
  const routeNeedsMfa = perRouteSettings<boolean>(
    fastify,
    kRoute,
    (route, rampart) => resolveRoute(route, rampart?.mfa),
    false,
  )

  // After authentication (onRequest by default) has set request.identity.
  fastify.addHook(settings.hook, async function requireMfa(request: FastifyRequest, reply: FastifyReply) {
    if (!routeNeedsMfa(request)) return undefined
    const identity = request.identity
    if (identity === null || identity === undefined || typeof identity !== 'object') {
      return sendProblem(reply, UNAUTHENTICATED, unauthenticated)
    }
    if (!hasSecondFactor(identity, amrValues)) return sendProblem(reply, REQUIRED, required)
    return undefined
  })
}

export { rampartMfa }
export default fp(rampartMfa, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

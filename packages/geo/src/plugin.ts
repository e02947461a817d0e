import {
  addHealthCheck,
  declareClientAddress,
  declareRequestPath,
  PrefixMatcher,
  perRouteSettings,
  requestPath,
  sendProblem,
} from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { GeoDatabase } from './database.js'
import { blockedChannel, reloadedChannel, reloadFailedChannel } from './diagnostics.js'
import { AlreadyRegisteredError, BLOCKED, PACKAGE } from './errors.js'
import { FileWatcher } from './file-watcher.js'
import { countryGetter, geoLookup, hasDatabase, installDatabase } from './lookup.js'
import { type GeoOptions, type GeoRouteOptions, optionValidator, resolveOptions, resolveRouteRules } from './options.js'
import { compilePolicy, decide, type GeoPolicy, refusalDetail } from './policy.js'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The client's country from @rampart/geo (ISO 3166-1 alpha-2, upper case), or `null` for a
     * private, unknown or failed lookup. Looked up on first read (or by the plugin's hook) and
     * memoised; `geoLookup(request)` gives the status too.
     */
    readonly country: string | null
  }
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/geo on this route: `false` turns it off, an object replaces the global rules it names. */
    geo?: GeoRouteOptions | false
  }
}

const kRoute = Symbol('rampart.geo.route')

async function openDatabase(path: string): Promise<GeoDatabase> {
  try {
    return await GeoDatabase.open(path)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return optionValidator.fail('database', `cannot be opened as a MaxMind-format country database: ${reason}`, path)
  }
}

async function rampartGeo(fastify: FastifyInstance, options: GeoOptions): Promise<void> {
  const settings = resolveOptions(options)
  if (hasDatabase(fastify) || fastify.hasRequestDecorator('country')) throw new AlreadyRegisteredError()
  const database = await openDatabase(settings.database)
  installDatabase(fastify, database)
  declareClientAddress(fastify)
  declareRequestPath(fastify)
  // A getter, so routes that are exempt or opted out pay for a lookup only if someone reads it.
  fastify.decorateRequest('country', { getter: countryGetter })

  const globalPolicy = compilePolicy(settings)
  const routePolicy = perRouteSettings<GeoPolicy | null>(
    fastify,
    kRoute,
    (route, rampart) => {
      const config = rampart?.geo
      if (config === undefined) return globalPolicy
      if (config === false) return null
      const label = `${String(route.method)} ${route.url ?? ''}`
      return compilePolicy(resolveRouteRules(config, settings, label))
    },
    globalPolicy,
  )
  const exempt = new PrefixMatcher(settings.exemptPaths.map((path) => [path, true] as const))

  // onRequest: the client address and the route are all the decision needs, so refuse before any body is read.
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const policy = routePolicy(request)
    if (policy === null || !policy.enforces) return
    if (exempt.size > 0 && exempt.match(requestPath(request)) === true) return
    const lookup = geoLookup(request)
    const reason = decide(policy, lookup)
    if (reason === undefined) return
    if (blockedChannel.hasSubscribers) {
      blockedChannel.publish({ request, country: lookup.country, ip: lookup.ip, reason })
    }
    return sendProblem(reply, BLOCKED, {
      detail: refusalDetail(reason, lookup.country),
      extensions: { country: lookup.country },
    })
  })

  let lastReloadError: Error | undefined
  addHealthCheck(fastify, `${PACKAGE}:database`, () => {
    const info = database.info
    const detail = {
      path: info.path,
      databaseType: info.databaseType,
      buildEpoch: info.buildEpoch.toISOString(),
      format: info.format,
      ...(lastReloadError === undefined ? {} : { lastReloadError: lastReloadError.message }),
    }
    // degraded: still answering, from the file that was there before the one that failed to load
    return { status: lastReloadError === undefined ? 'healthy' : 'degraded', detail }
  })

  if (!settings.watch) return
  let watcher: FileWatcher | undefined
  let closed = false
  const reload = async (): Promise<void> => {
    try {
      const info = await database.reload()
      if (closed) return
      lastReloadError = undefined
      fastify.log.info(
        { database: info.path, databaseType: info.databaseType, buildEpoch: info.buildEpoch },
        '@rampart/geo: database reloaded',
      )
      if (reloadedChannel.hasSubscribers) reloadedChannel.publish({ ...info })
    } catch (thrown) {
      if (closed) return
      const error = thrown instanceof Error ? thrown : new Error(String(thrown))
      lastReloadError = error
      fastify.log.warn(
        { err: error, database: database.path },
        '@rampart/geo: the database file changed but cannot be read; still serving the previous one',
      )
      if (reloadFailedChannel.hasSubscribers) reloadFailedChannel.publish({ path: database.path, error })
    }
  }
  fastify.addHook('onReady', async () => {
    if (!closed)
      watcher = new FileWatcher(
        database.path,
        { interval: settings.watchInterval, delay: settings.reloadDelay },
        database.version,
        reload,
      )
  })
  fastify.addHook('onClose', async () => {
    closed = true
    watcher?.close()
  })
}

export { rampartGeo }
export default fp(rampartGeo, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

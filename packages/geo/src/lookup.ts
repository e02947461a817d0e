import { getClientAddress } from '@rampart/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { GeoDatabase, GeoLookup } from './database.js'
import { lookupFailedChannel } from './diagnostics.js'
import { NotRegisteredError } from './errors.js'

const kLookup = Symbol('rampart.geo.lookup')
const kDatabase = Symbol('rampart.geo.database')

type WithLookup = FastifyRequest & { [kLookup]: GeoLookup | null }
type WithDatabase = FastifyInstance & { [kDatabase]?: GeoDatabase }

/** True when `fastify` (or a parent context) already has a database installed. */
export function hasDatabase(fastify: FastifyInstance): boolean {
  return fastify.hasDecorator(kDatabase)
}

/** Installs the database every request of this context is looked up in, and the memo slot. */
export function installDatabase(fastify: FastifyInstance, database: GeoDatabase): void {
  fastify.decorate(kDatabase, database)
  fastify.decorateRequest(kLookup, null)
}

/**
 * The country of the request's client (`{ ip, country, status }`), looked up once per request
 * with the client address of core's trusted resolution, and memoised. A lookup that throws gives
 * `status: 'error'` and a `rampart:geo:lookup-failed` event.
 */
export function geoLookup(request: FastifyRequest): GeoLookup {
  const memo = (request as WithLookup)[kLookup]
  if (memo) return memo
  const database = (request.server as WithDatabase)[kDatabase]
  if (database === undefined) throw new NotRegisteredError()
  const ip = getClientAddress(request).ip
  let lookup: GeoLookup
  try {
    lookup = database.lookup(ip)
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown))
    lookup = { ip, country: null, status: 'error' }
    if (database.firstLookupFailure()) {
      request.log.error({ err: error, ip }, `@rampart/geo: lookup in ${database.path} failed`)
    }
    if (lookupFailedChannel.hasSubscribers) lookupFailedChannel.publish({ request, ip, error })
  }
  ;(request as WithLookup)[kLookup] = lookup
  return lookup
}

/** The getter behind `request.country`. */
export function countryGetter(this: FastifyRequest): string | null {
  return geoLookup(this).country
}

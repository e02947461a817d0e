export { bundledDatabasePath } from './bundled-database.js'
export { COUNTRY_CODES } from './country-codes.js'
export type { RecordFormat } from './country-record.js'
export type { DatabaseInfo, GeoLookup, GeoStatus } from './database.js'
export {
  type BlockedEvent,
  blockedChannel,
  type LookupFailedEvent,
  lookupFailedChannel,
  type ReloadedEvent,
  type ReloadFailedEvent,
  reloadedChannel,
  reloadFailedChannel,
} from './diagnostics.js'
export { AlreadyRegisteredError, BLOCKED, NotRegisteredError } from './errors.js'
export { geoLookup } from './lookup.js'
export {
  DEFAULTS,
  type Decision,
  type GeoOptions,
  type GeoRouteOptions,
  type GeoRules,
  type ResolvedGeoOptions,
  type ResolvedRules,
  resolveOptions,
} from './options.js'
export { default, rampartGeo } from './plugin.js'
export type { BlockReason } from './policy.js'
export { SPECIAL_RANGES } from './special-addresses.js'

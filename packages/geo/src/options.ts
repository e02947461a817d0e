import { resolve as resolvePath } from 'node:path'
import { OptionValidator } from '@rampart/core'
import { parseCountryCode } from './country-codes.js'
import { PACKAGE } from './errors.js'

/** What to do with a client: let it through or refuse it with 403. */
export type Decision = 'allow' | 'deny'

/** The country rules; set globally in the options, or per route in `config.rampart.geo`. */
export interface GeoRules {
  /**
   * When not empty, only clients from these countries are let through (ISO 3166-1 alpha-2, any
   * case; `XK` is accepted for Kosovo). A country also in `blockedCountries` is refused: blocked
   * wins. Default: `[]` (no allow list).
   */
  allowedCountries?: readonly string[]
  /** Clients from these countries are refused. Wins over `allowedCountries`. Default: `[]`. */
  blockedCountries?: readonly string[]
  /**
   * Clients with a private, loopback, link-local, carrier-grade NAT, documentation, multicast or
   * reserved address (never looked up: they have no country). Default: `'allow'` (load balancers,
   * health checks and local development come from such addresses).
   */
  privateAddresses?: Decision
  /**
   * Clients with a public address the database has no country for (or no address at all, or an
   * IPv6 address and an IPv4-only database). Default: as the lists decide for a country they do
   * not name, that is `'deny'` when `allowedCountries` is set and `'allow'` otherwise.
   */
  unknownCountry?: Decision
  /**
   * Clients whose lookup threw (a damaged database). Applies only where the country matters (a
   * list is set, or `unknownCountry` is `'deny'`). Default: `'deny'` (fail closed).
   */
  lookupErrors?: Decision
}

/** Options of @rampart/geo. */
export interface GeoOptions extends GeoRules {
  /**
   * Path of the MaxMind-format `.mmdb` file: GeoLite2/GeoIP2 Country or City, or a compatible
   * database such as ip-location-db's (`bundledDatabasePath()` gives the CC0 one this package
   * installs). Required; `register` fails if it cannot be opened.
   */
  database: string
  /** Path prefixes never refused (`/health`), matched on the normalised path. Default: `[]`. */
  exemptPaths?: readonly string[]
  /** Reload the database when its file changes, without a restart. Default: `true`. */
  watch?: boolean
  /** How often the file is checked for changes, in milliseconds (10 to 3 600 000). Default: `2000`. */
  watchInterval?: number
  /**
   * How long the file must stay unchanged before it is read again, in milliseconds (0 to 600 000),
   * so a file still being written is not read half-way. Default: `500`.
   */
  reloadDelay?: number
}

/** Per-route rules under `config.rampart.geo`: each field given replaces the global one. */
export type GeoRouteOptions = GeoRules

/** The rules after validation: lists upper-cased and deduplicated. */
export interface ResolvedRules {
  readonly allowedCountries: readonly string[]
  readonly blockedCountries: readonly string[]
  readonly privateAddresses: Decision
  /** `undefined`: decided by the lists (see `GeoRules.unknownCountry`). */
  readonly unknownCountry: Decision | undefined
  readonly lookupErrors: Decision
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedGeoOptions extends ResolvedRules {
  /** Absolute path of the database. */
  readonly database: string
  readonly exemptPaths: readonly string[]
  readonly watch: boolean
  readonly watchInterval: number
  readonly reloadDelay: number
}

export const DEFAULTS: Omit<ResolvedGeoOptions, 'database'> = Object.freeze({
  allowedCountries: Object.freeze([]),
  blockedCountries: Object.freeze([]),
  privateAddresses: 'allow',
  unknownCountry: undefined,
  lookupErrors: 'deny',
  exemptPaths: Object.freeze([]),
  watch: true,
  watchInterval: 2000,
  reloadDelay: 500,
})

const RULE_KEYS = ['allowedCountries', 'blockedCountries', 'privateAddresses', 'unknownCountry', 'lookupErrors']
const DECISIONS: readonly Decision[] = ['allow', 'deny']

export const optionValidator: OptionValidator = new OptionValidator(PACKAGE)
const validate = optionValidator

function countryList(option: string, value: unknown): readonly string[] {
  const list = validate.stringList(option, value)
  const codes = new Set<string>()
  list.forEach((entry, index) => {
    const parsed = parseCountryCode(entry)
    if ('problem' in parsed) validate.fail(`${option}[${index}]`, parsed.problem, entry)
    else codes.add(parsed.code)
  })
  return Object.freeze([...codes])
}

/**
 * Validates rules given under `prefix` (`''` for the options, `GET /x: config.rampart.geo.` for a
 * route); fields not given keep `base`'s.
 */
export function resolveRules(given: Record<string, unknown>, base: ResolvedRules, prefix = ''): ResolvedRules {
  const name = (key: string): string => `${prefix}${key}`
  const decision = (key: 'privateAddresses' | 'unknownCountry' | 'lookupErrors'): Decision | undefined =>
    given[key] === undefined ? base[key] : validate.oneOf(name(key), given[key], DECISIONS)
  return Object.freeze({
    allowedCountries:
      given.allowedCountries === undefined
        ? base.allowedCountries
        : countryList(name('allowedCountries'), given.allowedCountries),
    blockedCountries:
      given.blockedCountries === undefined
        ? base.blockedCountries
        : countryList(name('blockedCountries'), given.blockedCountries),
    privateAddresses: decision('privateAddresses') as Decision,
    unknownCountry: decision('unknownCountry'),
    lookupErrors: decision('lookupErrors') as Decision,
  })
}

/** Validates a route's `config.rampart.geo` object over the global rules. */
export function resolveRouteRules(value: unknown, base: ResolvedRules, route: string): ResolvedRules {
  const option = `${route}: config.rampart.geo`
  const given = validate.object(option, value)
  validate.knownKeys(option, given, RULE_KEYS)
  return resolveRules(given, base, `${option}.`)
}

/** Validates the user's options and folds in the defaults; throws RAMPART_GEO_INVALID_OPTION. */
export function resolveOptions(options: GeoOptions): ResolvedGeoOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, ['database', ...Object.keys(DEFAULTS)])
  if (given.database === undefined) {
    validate.fail('database', 'is required: the path of a MaxMind-format .mmdb country database')
  }
  const database = resolvePath(validate.string('database', given.database))
  const rules = resolveRules(given, DEFAULTS)
  return Object.freeze({
    ...rules,
    database,
    exemptPaths: Object.freeze(validate.stringList('exemptPaths', given.exemptPaths ?? DEFAULTS.exemptPaths)),
    watch: validate.boolean('watch', given.watch ?? DEFAULTS.watch),
    watchInterval: validate.integer('watchInterval', given.watchInterval ?? DEFAULTS.watchInterval, {
      min: 10,
      max: 3_600_000,
    }),
    reloadDelay: validate.integer('reloadDelay', given.reloadDelay ?? DEFAULTS.reloadDelay, { min: 0, max: 600_000 }),
  })
}

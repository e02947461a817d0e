import { normalizePath, OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'
import { isMediaRange } from './media-type.js'

const KIB = 1024
const MIB = 1024 * KIB

/** Options of @rampart/content-guard. */
export interface ContentGuardOptions {
  /**
   * Body size limits in bytes by path prefix. The longest segment-aware prefix of the normalised
   * path wins (`/api/` covers `/api` and `/api/x`, not `/apix`); a path under no prefix gets the `/`
   * entry, or 64 KiB when there is none. Replaces `DEFAULTS.limits` unless `extendDefaults`.
   */
  limits?: Readonly<Record<string, number>>
  /**
   * Media types accepted per method, case-insensitive: `type/subtype`, or a range such as
   * `image/*` (star slash star accepts any well-formed type). A method without an entry (or with
   * `false`) is not type-checked. Replaces `DEFAULTS.allowedTypes` unless `extendDefaults`.
   */
  allowedTypes?: Readonly<Record<string, readonly string[] | false>>
  /**
   * Merge `limits` (per prefix) and `allowedTypes` (per method) over the defaults instead of
   * replacing them. Default: `false`.
   */
  extendDefaults?: boolean
  /**
   * Refuse with 415 a request of a type-checked method that has a body (`Content-Length` > 0 or
   * `Transfer-Encoding`) but no `Content-Type`. Default: `true`.
   */
  requireContentType?: boolean
  /** Methods whose body is not checked (size, type, `Content-Length`). Default: GET, HEAD, OPTIONS. */
  skipMethods?: readonly string[]
  /** Refuse with 400 a URL holding a NUL byte, raw or `%00`, whatever the method. Default: `true`. */
  rejectNullBytes?: boolean
  /**
   * Set each route's Fastify `bodyLimit` (registered after this plugin, without its own) to the
   * largest limit content-guard gives its requests, so content-guard's limit is the one that holds.
   * With `false` Fastify's `bodyLimit` (default 1 MiB) holds as well and the smaller wins.
   * Default: `true`.
   */
  adjustRouteBodyLimit?: boolean
}

/** Per-route settings: `config: { rampart: { contentGuard: { ... } | false } }`. */
export interface ContentGuardRouteOptions {
  /** This route's body limit in bytes, instead of its path's. */
  bodyLimit?: number
  /**
   * Media types this route accepts, for each of its methods not in `skipMethods` (DELETE included),
   * instead of the per-method lists; `false`: no media type check on this route.
   */
  allowedTypes?: readonly string[] | false
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/content-guard on this route; `false` turns every check off here. */
    contentGuard?: ContentGuardRouteOptions | false
  }
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedContentGuardOptions {
  /** `[normalised prefix, bytes]`, always with a `/` entry. */
  readonly limits: readonly (readonly [string, number])[]
  /** Upper-case method to lowercased media ranges. */
  readonly allowedTypes: Readonly<Record<string, readonly string[]>>
  readonly requireContentType: boolean
  /** Upper-case methods. */
  readonly skipMethods: readonly string[]
  readonly rejectNullBytes: boolean
  readonly adjustRouteBodyLimit: boolean
}

/** Per-route settings after validation. */
export interface ResolvedRouteOptions {
  readonly bodyLimit: number | undefined
  readonly allowedTypes: readonly string[] | false | undefined
}

/** The limit of a path under no configured prefix when `limits` has no `/` entry. */
export const DEFAULT_ROOT_LIMIT: number = 64 * KIB

export interface ContentGuardDefaults {
  readonly limits: Readonly<Record<string, number>>
  readonly allowedTypes: Readonly<Record<string, readonly string[]>>
  readonly extendDefaults: boolean
  readonly requireContentType: boolean
  readonly skipMethods: readonly string[]
  readonly rejectNullBytes: boolean
  readonly adjustRouteBodyLimit: boolean
}

export const DEFAULTS: ContentGuardDefaults = Object.freeze({
  limits: Object.freeze({
    '/api/upload': 50 * MIB,
    '/api/import': 10 * MIB,
    '/api/': 1 * MIB,
    '/webhook': 256 * KIB,
    '/graphql': 100 * KIB,
    '/': DEFAULT_ROOT_LIMIT,
  }),
  allowedTypes: Object.freeze({
    POST: Object.freeze(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']),
    PUT: Object.freeze(['application/json', 'application/octet-stream', 'multipart/form-data']),
    PATCH: Object.freeze(['application/json', 'application/merge-patch+json']),
  }),
  extendDefaults: false,
  requireContentType: true,
  skipMethods: Object.freeze(['GET', 'HEAD', 'OPTIONS']),
  rejectNullBytes: true,
  adjustRouteBodyLimit: true,
})

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const ROUTE_KEYS: readonly string[] = ['bodyLimit', 'allowedTypes']

const validate = new OptionValidator(PACKAGE)

/** The option as given, or its default when absent; `null` is a wrong value, not an absent one. */
function optionOr<K extends keyof ContentGuardDefaults>(options: ContentGuardOptions, key: K): unknown {
  const value = (options as Record<string, unknown>)[key]
  return value === undefined ? DEFAULTS[key] : value
}

/** Validates the user's options and folds in the defaults; throws RAMPART_CONTENT_GUARD_INVALID_OPTION. */
export function resolveOptions(options: ContentGuardOptions = {}): ResolvedContentGuardOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, Object.keys(DEFAULTS))
  const extend = validate.boolean('extendDefaults', optionOr(options, 'extendDefaults'))
  return Object.freeze({
    limits: resolveLimits(options.limits, extend),
    allowedTypes: resolveAllowedTypes(options.allowedTypes, extend),
    requireContentType: validate.boolean('requireContentType', optionOr(options, 'requireContentType')),
    skipMethods: Object.freeze(
      validate.stringList('skipMethods', optionOr(options, 'skipMethods')).map((method, index) => {
        validate.string(`skipMethods[${index}]`, method, { pattern: METHOD })
        return method.toUpperCase()
      }),
    ),
    rejectNullBytes: validate.boolean('rejectNullBytes', optionOr(options, 'rejectNullBytes')),
    adjustRouteBodyLimit: validate.boolean('adjustRouteBodyLimit', optionOr(options, 'adjustRouteBodyLimit')),
  })
}

function resolveLimits(limits: ContentGuardOptions['limits'], extend: boolean): readonly (readonly [string, number])[] {
  // Normalised prefix -> [limit, the key as written]: `/api` and `/api/` are one prefix.
  const byPath = new Map<string, [number, string]>()
  if (limits === undefined || extend) {
    for (const [prefix, limit] of Object.entries(DEFAULTS.limits)) byPath.set(normalizePath(prefix), [limit, prefix])
  }
  if (limits !== undefined) {
    const given = validate.object('limits', limits)
    const seen = new Map<string, [number, string]>()
    for (const [prefix, value] of Object.entries(given)) {
      const option = `limits[${JSON.stringify(prefix)}]`
      validate.string(option, prefix, { pattern: /^\// })
      const limit = validate.integer(option, value, { min: 0, max: Number.MAX_SAFE_INTEGER })
      const path = normalizePath(prefix)
      const earlier = seen.get(path)
      if (earlier !== undefined && earlier[0] !== limit) {
        validate.fail(option, `is the same prefix as ${JSON.stringify(earlier[1])} with a different limit`, limit)
      }
      seen.set(path, [limit, prefix])
      byPath.set(path, [limit, prefix])
    }
  }
  if (!byPath.has('/')) byPath.set('/', [DEFAULT_ROOT_LIMIT, '/'])
  return Object.freeze([...byPath].map(([path, [limit]]) => Object.freeze([path, limit] as const)))
}

function resolveAllowedTypes(
  allowedTypes: ContentGuardOptions['allowedTypes'],
  extend: boolean,
): Readonly<Record<string, readonly string[]>> {
  const byMethod = new Map<string, readonly string[]>()
  if (allowedTypes === undefined || extend) {
    for (const [method, ranges] of Object.entries(DEFAULTS.allowedTypes)) byMethod.set(method, ranges)
  }
  if (allowedTypes !== undefined) {
    const given = validate.object('allowedTypes', allowedTypes)
    const seen = new Set<string>()
    for (const [key, value] of Object.entries(given)) {
      const option = `allowedTypes.${key}`
      validate.string(option, key, { pattern: METHOD })
      const method = key.toUpperCase()
      if (seen.has(method)) validate.fail(option, `repeats the method ${method}`)
      seen.add(method)
      if (value === false) byMethod.delete(method)
      else byMethod.set(method, mediaRanges(option, value))
    }
  }
  return Object.freeze(Object.fromEntries(byMethod))
}

/** A non-empty list of media ranges, lowercased and frozen. */
function mediaRanges(option: string, value: unknown): readonly string[] {
  const ranges = validate.stringList(option, value)
  if (ranges.length === 0) {
    validate.fail(option, 'must list at least one media type (leave the method out not to check it)')
  }
  return Object.freeze(
    ranges.map((range, index) => {
      if (!isMediaRange(range)) {
        validate.fail(`${option}[${index}]`, 'must be a media type like "type/subtype" or "type/*"', range)
      }
      return range.toLowerCase()
    }),
  )
}

/**
 * Validates a route's `config.rampart.contentGuard` (at `onRoute`); `where` names the route in the
 * error, e.g. `POST /upload`.
 */
export function resolveRouteOptions(value: unknown, where: string): ResolvedRouteOptions | false {
  const option = `config.rampart.contentGuard of route ${where}`
  if (value === false) return false
  const given = validate.object(option, value)
  validate.knownKeys(option, given, ROUTE_KEYS)
  const bodyLimit =
    given.bodyLimit === undefined
      ? undefined
      : validate.integer(`${option}: bodyLimit`, given.bodyLimit, { min: 0, max: Number.MAX_SAFE_INTEGER })
  const allowedTypes =
    given.allowedTypes === undefined || given.allowedTypes === false
      ? given.allowedTypes
      : mediaRanges(`${option}: allowedTypes`, given.allowedTypes)
  return Object.freeze({ bodyLimit, allowedTypes: allowedTypes as readonly string[] | false | undefined })
}

import { type CspDirectiveMap, type CspPolicy, type NonceDirective, resolveCsp } from './csp.js'
import { validate } from './errors.js'
import {
  type PermissionsPolicy,
  type PermissionsPolicyMap,
  resolvePermissionsPolicy,
  SEED_PERMISSIONS_POLICY,
} from './permissions-policy.js'

/** `Strict-Transport-Security` settings. */
export interface HstsOptions {
  /** Seconds the browser keeps to https for this host. Default: 31536000 (one year). */
  maxAge?: number
  /** The same for every subdomain. Default: true. */
  includeSubDomains?: boolean
  /** Ask to be put on the browsers' preload lists (needs maxAge >= one year and includeSubDomains; hard to undo). Default: false. */
  preload?: boolean
}

/** The tokens of `Referrer-Policy`. */
export type ReferrerPolicyToken =
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'origin'
  | 'origin-when-cross-origin'
  | 'same-origin'
  | 'strict-origin'
  | 'strict-origin-when-cross-origin'
  | 'unsafe-url'

/**
 * Options of @rampart/headers. Every header can be changed, and turned off with `false`. A header
 * the response already carries (set by the handler or another plugin) is kept, except `Server` and
 * `X-Powered-By`, which are always masked or removed.
 */
export interface HeadersOptions {
  /**
   * Production: HSTS is sent only in production, and then only to requests that arrived over https
   * (the TLS socket, or `X-Forwarded-Proto` from a trusted proxy). Not derived from `NODE_ENV`:
   * HSTS on `localhost` pins every local port to https for a year. Default: false.
   */
  production?: boolean
  /** `X-Content-Type-Options: nosniff`. Default: true. */
  contentTypeOptions?: boolean
  /** `X-Frame-Options`. Default: `'DENY'`. */
  frameOptions?: 'DENY' | 'SAMEORIGIN' | false
  /** `Referrer-Policy`: a token, or a list (the browser uses the last it knows). Default: `'strict-origin-when-cross-origin'`. */
  referrerPolicy?: ReferrerPolicyToken | readonly ReferrerPolicyToken[] | false
  /**
   * `Permissions-Policy`, merged over the seed's (camera, microphone, geolocation, payment, usb,
   * magnetometer, gyroscope and accelerometer all `=()`): add features, give allowlists, or remove
   * a feature with `false`. `false` sends no Permissions-Policy. Default: the seed's.
   */
  permissionsPolicy?: PermissionsPolicy | false
  /** `Cache-Control`; override it per route for static assets. Default: `'no-store, max-age=0'`. */
  cacheControl?: string | false
  /** `Server`: the value that masks the real one, or `false` to remove the header. Default: `'undisclosed'`. */
  server?: string | false
  /** `Cross-Origin-Opener-Policy`. Default: `'same-origin'`. */
  crossOriginOpenerPolicy?: 'same-origin' | 'same-origin-allow-popups' | 'noopener-allow-popups' | 'unsafe-none' | false
  /** `Cross-Origin-Resource-Policy`. Default: `'same-origin'`. */
  crossOriginResourcePolicy?: 'same-origin' | 'same-site' | 'cross-origin' | false
  /** `Cross-Origin-Embedder-Policy` (with COOP `same-origin`, makes the page cross-origin isolated). Default: false. */
  crossOriginEmbedderPolicy?: 'require-corp' | 'credentialless' | 'unsafe-none' | false
  /** `X-XSS-Protection: 0`: turns the legacy XSS auditor off (see the README). Default: true. */
  xssProtection?: boolean
  /** `X-Permitted-Cross-Domain-Policies` (Flash and Acrobat). Default: false. */
  permittedCrossDomainPolicies?: 'none' | 'master-only' | 'by-content-type' | 'all' | false
  /** `X-DNS-Prefetch-Control`. Default: false. */
  dnsPrefetchControl?: 'off' | 'on' | false
  /** `Strict-Transport-Security` (production and https only), or `false` never to send it. Default: one year, includeSubDomains. */
  hsts?: HstsOptions | false
  /** `Content-Security-Policy`: directives or a string, validated at register. Default: false (none). */
  csp?: CspPolicy | false
  /** `Content-Security-Policy-Report-Only`: a second, independent policy. Default: false (none). */
  cspReportOnly?: CspPolicy | false
  /**
   * A fresh nonce per response, read as `reply.cspNonce` and inserted as `'nonce-…'` into the
   * listed directives of both policies; `true` means `['script-src', 'style-src']`. Default: false.
   */
  cspNonce?: boolean | readonly NonceDirective[]
}

/** Per route (`config: { rampart: { headers } }`): options merged over the plugin's. */
export type RouteHeadersOptions = Omit<HeadersOptions, 'production'>

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/headers on this route: `false` sends none of its headers, or options merged over the plugin's. */
    headers?: RouteHeadersOptions | false
  }
}

/** The options after validation: every header in its final form, frozen at register. */
export interface ResolvedHeadersOptions {
  readonly production: boolean
  readonly contentTypeOptions: boolean
  readonly frameOptions: string | false
  /** Serialised: `'no-referrer, strict-origin-when-cross-origin'`. */
  readonly referrerPolicy: string | false
  readonly permissionsPolicy: PermissionsPolicyMap | false
  readonly cacheControl: string | false
  readonly server: string | false
  readonly crossOriginOpenerPolicy: string | false
  readonly crossOriginResourcePolicy: string | false
  readonly crossOriginEmbedderPolicy: string | false
  readonly xssProtection: boolean
  readonly permittedCrossDomainPolicies: string | false
  readonly dnsPrefetchControl: string | false
  readonly hsts: Readonly<Required<HstsOptions>> | false
  readonly csp: CspDirectiveMap | false
  readonly cspReportOnly: CspDirectiveMap | false
  /** The directives that get the nonce; empty without nonces. */
  readonly cspNonce: readonly NonceDirective[]
}

/** The defaults, as options. */
export const DEFAULTS = Object.freeze({
  production: false,
  contentTypeOptions: true,
  frameOptions: 'DENY',
  referrerPolicy: 'strict-origin-when-cross-origin',
  permissionsPolicy: SEED_PERMISSIONS_POLICY,
  cacheControl: 'no-store, max-age=0',
  server: 'undisclosed',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  crossOriginEmbedderPolicy: false,
  xssProtection: true,
  permittedCrossDomainPolicies: false,
  dnsPrefetchControl: false,
  hsts: Object.freeze({ maxAge: 31_536_000, includeSubDomains: true, preload: false }),
  csp: false,
  cspReportOnly: false,
  cspNonce: false,
} as const satisfies Required<HeadersOptions>)

type OptionName = keyof ResolvedHeadersOptions
type Resolvers = {
  readonly [K in OptionName]: (
    value: unknown,
    option: string,
    base: ResolvedHeadersOptions[K] | undefined,
  ) => ResolvedHeadersOptions[K]
}

const OPTION_NAMES = Object.keys(DEFAULTS) as OptionName[]
const ROUTE_OPTION_NAMES = OPTION_NAMES.filter((name) => name !== 'production')
const REFERRER_POLICIES: readonly ReferrerPolicyToken[] = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]
const NONCE_DIRECTIVES: readonly NonceDirective[] = ['script-src', 'script-src-elem', 'style-src', 'style-src-elem']
const HEADER_TEXT = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/
const ONE_YEAR = 31_536_000

const headerText = (value: unknown, option: string): string | false =>
  value === false ? false : validate.string(option, value, { pattern: HEADER_TEXT })

const oneOfOrFalse =
  (allowed: readonly string[]) =>
  (value: unknown, option: string): string | false =>
    value === false ? false : validate.oneOf(option, value, allowed)

const RESOLVERS: Resolvers = {
  production: (value, option) => validate.boolean(option, value),
  contentTypeOptions: (value, option) => validate.boolean(option, value),
  frameOptions: oneOfOrFalse(['DENY', 'SAMEORIGIN']),
  referrerPolicy: resolveReferrerPolicy,
  permissionsPolicy: resolvePermissionsPolicy,
  cacheControl: headerText,
  server: headerText,
  crossOriginOpenerPolicy: oneOfOrFalse([
    'same-origin',
    'same-origin-allow-popups',
    'noopener-allow-popups',
    'unsafe-none',
  ]),
  crossOriginResourcePolicy: oneOfOrFalse(['same-origin', 'same-site', 'cross-origin']),
  crossOriginEmbedderPolicy: oneOfOrFalse(['require-corp', 'credentialless', 'unsafe-none']),
  xssProtection: (value, option) => validate.boolean(option, value),
  permittedCrossDomainPolicies: oneOfOrFalse(['none', 'master-only', 'by-content-type', 'all']),
  dnsPrefetchControl: oneOfOrFalse(['off', 'on']),
  hsts: resolveHsts,
  csp: (value, option) => (value === false ? false : resolveCsp(value, option)),
  cspReportOnly: (value, option) => (value === false ? false : resolveCsp(value, option)),
  cspNonce: resolveNonce,
}

function resolveReferrerPolicy(value: unknown, option: string): string | false {
  if (value === false) return false
  const tokens =
    typeof value === 'string' ? value.split(',').map((token) => token.trim()) : validate.stringList(option, value)
  if (tokens.length === 0) validate.fail(option, 'must name at least one policy')
  for (const token of tokens) validate.oneOf(option, token, REFERRER_POLICIES)
  return tokens.join(', ')
}

function resolveHsts(
  value: unknown,
  option: string,
  base: Readonly<Required<HstsOptions>> | false | undefined,
): Readonly<Required<HstsOptions>> | false {
  if (value === false) return false
  const given = validate.object(option, value) as HstsOptions
  validate.knownKeys(option, given as Record<string, unknown>, ['maxAge', 'includeSubDomains', 'preload'])
  const from = base === undefined || base === false ? DEFAULTS.hsts : base
  const maxAge = validate.integer(`${option}.maxAge`, given.maxAge ?? from.maxAge, { min: 0 })
  const includeSubDomains = validate.boolean(
    `${option}.includeSubDomains`,
    given.includeSubDomains ?? from.includeSubDomains,
  )
  const preload = validate.boolean(`${option}.preload`, given.preload ?? from.preload)
  if (preload && (maxAge < ONE_YEAR || !includeSubDomains)) {
    validate.fail(
      `${option}.preload`,
      `needs maxAge >= ${ONE_YEAR} and includeSubDomains (the preload lists require both)`,
    )
  }
  return Object.freeze({ maxAge, includeSubDomains, preload })
}

function resolveNonce(value: unknown, option: string): readonly NonceDirective[] {
  if (value === true) return Object.freeze(['script-src', 'style-src'] as const)
  if (value === false) return Object.freeze([])
  const list = validate.stringList(option, value)
  if (list.length === 0) validate.fail(option, 'must list at least one directive, or be false')
  list.forEach((name, index) => {
    validate.oneOf(`${option}[${index}]`, name, NONCE_DIRECTIVES)
    if (list.indexOf(name) !== index) validate.fail(`${option}[${index}]`, 'repeats a directive', name)
  })
  return Object.freeze(list as NonceDirective[])
}

function resolveOver(
  base: ResolvedHeadersOptions | undefined,
  options: unknown,
  where: string,
  names: readonly OptionName[],
): ResolvedHeadersOptions {
  const given = validate.object(where, options)
  validate.knownKeys(where, given, names)
  const resolved: Record<string, unknown> = { ...base }
  for (const name of names) {
    const value = given[name]
    if (value === undefined) continue
    const resolve = RESOLVERS[name] as (value: unknown, option: string, base: unknown) => unknown
    resolved[name] = resolve(value, where === '' ? name : `${where}.${name}`, base?.[name])
  }
  const result = resolved as unknown as ResolvedHeadersOptions
  if (
    given.cspNonce !== undefined &&
    result.cspNonce.length > 0 &&
    result.csp === false &&
    result.cspReportOnly === false
  ) {
    validate.fail(
      where === '' ? 'cspNonce' : `${where}.cspNonce`,
      'needs csp or cspReportOnly: there is no policy to put the nonce in',
    )
  }
  return Object.freeze(result)
}

const RESOLVED_DEFAULTS = resolveOver(undefined, DEFAULTS, '', OPTION_NAMES)

/** Validates the plugin's options over the defaults; throws RAMPART_HEADERS_INVALID_OPTION naming the option. */
export function resolveOptions(options: HeadersOptions = {}): ResolvedHeadersOptions {
  return resolveOver(RESOLVED_DEFAULTS, options, '', OPTION_NAMES)
}

/**
 * Validates a route's `config.rampart.headers` over the plugin's resolved options: each option
 * given replaces the plugin's, except `permissionsPolicy` and `hsts`, which merge over them.
 */
export function resolveRouteOptions(
  options: RouteHeadersOptions,
  plugin: ResolvedHeadersOptions,
): ResolvedHeadersOptions {
  return resolveOver(plugin, options, 'config.rampart.headers', ROUTE_OPTION_NAMES)
}

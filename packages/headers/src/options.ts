import { OptionValidator } from '@rampart/core'
import { type CompiledCsp, type CspPolicy, compileCsp } from './csp.js'
import { PACKAGE } from './errors.js'

/** A Permissions-Policy: feature -> allowlist (`[]` denies everywhere, `['self']`, origins). */
export type PermissionsPolicy = Readonly<Record<string, readonly string[] | null>>

export interface HstsOptions {
  /** Seconds browsers remember to use https. Default: 31536000 (one year). */
  maxAge?: number
  /** Also for every subdomain. Default: true. */
  includeSubDomains?: boolean
  /** Ask for the browsers' preload lists (hard to undo: opt in knowingly). Default: false. */
  preload?: boolean
}

/** Options of @rampart/headers; every header can be changed or turned off with `false`. */
export interface HeadersOptions {
  /** Production mode: HSTS is only ever sent in production (and then only over https). Default: false. */
  production?: boolean
  /** `X-Content-Type-Options: nosniff`. Default: true. */
  contentTypeOptions?: boolean
  /** `X-Frame-Options`. Default: `'DENY'`. */
  frameOptions?: 'DENY' | 'SAMEORIGIN' | false
  /** `Referrer-Policy`. Default: `'strict-origin-when-cross-origin'`. */
  referrerPolicy?: string | false
  /**
   * `Permissions-Policy`, merged over the seed's (camera, microphone, geolocation, payment, usb,
   * magnetometer, gyroscope, accelerometer all denied); `null` removes a feature. Default: the seed's.
   */
  permissionsPolicy?: PermissionsPolicy | false
  /** `Cache-Control`, unless the route set its own. Default: `'no-store, max-age=0'`. */
  cacheControl?: string | false
  /** `Server`: a masking value, or `false` to remove it. Default: `'undisclosed'`. */
  server?: string | false
  /** `Cross-Origin-Opener-Policy`. Default: `'same-origin'`. */
  crossOriginOpenerPolicy?: 'same-origin' | 'same-origin-allow-popups' | 'noopener-allow-popups' | 'unsafe-none' | false
  /** `Cross-Origin-Resource-Policy`. Default: `'same-origin'`. */
  crossOriginResourcePolicy?: 'same-origin' | 'same-site' | 'cross-origin' | false
  /** `X-XSS-Protection: 0` (turns the legacy filter off). Default: true. */
  xssProtection?: boolean
  /** `X-Permitted-Cross-Domain-Policies: none`. Default: true. */
  permittedCrossDomainPolicies?: boolean
  /** `X-DNS-Prefetch-Control: off`. Default: true. */
  dnsPrefetchControl?: boolean
  /** HSTS settings, or `false` never to send it. Default: `{}` (one year, includeSubDomains). */
  hsts?: HstsOptions | false
  /** `Content-Security-Policy`: directives or a string, validated at register. Default: false. */
  csp?: CspPolicy | false
  /** `Content-Security-Policy-Report-Only`, independent of `csp`. Default: false. */
  cspReportOnly?: CspPolicy | false
  /** Put a fresh `'nonce-…'` in script-src and style-src per response; read it as `reply.cspNonce`. Default: false. */
  cspNonce?: boolean
}

/** Per route (`config: { rampart: { headers } }`): `false` sends none, or options over the plugin's. */
export type RouteHeadersOptions = Omit<HeadersOptions, 'production'>

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/headers on this route: `false` for none, or options merged over the plugin's. */
    headers?: RouteHeadersOptions | false
  }
}

/** The seed's Permissions-Policy. */
export const SEED_PERMISSIONS_POLICY: PermissionsPolicy = Object.freeze({
  camera: [],
  microphone: [],
  geolocation: [],
  payment: [],
  usb: [],
  magnetometer: [],
  gyroscope: [],
  accelerometer: [],
})

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
  xssProtection: true,
  permittedCrossDomainPolicies: true,
  dnsPrefetchControl: true,
  hsts: Object.freeze({}),
  csp: false,
  cspReportOnly: false,
  cspNonce: false,
} satisfies Required<HeadersOptions>)

/** Everything one response needs, built once per route. */
export interface HeaderSet {
  /** Lower-case name and value of every header always sent (a route's own value wins). */
  readonly fixed: readonly (readonly [string, string])[]
  /** The HSTS value, when production and enabled; sent only over https. */
  readonly hsts: string | undefined
  readonly server: string | false
  readonly csp: CompiledCsp | undefined
  readonly cspReportOnly: CompiledCsp | undefined
  readonly nonce: boolean
}

const REFERRER_POLICIES = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]
const HEADER_VALUE = /^[\x20-\x7e]+$/
const FEATURE = /^[a-z][a-z0-9-]*$/
const ALLOWLIST_ITEM = /^(self|src|\*|"[^"\s]+")$/
const OPTION_NAMES = Object.keys(DEFAULTS)

const validate = new OptionValidator(PACKAGE)

/** Validates options (plugin-level, or a route's merged over them) and builds the header set. */
export function compileHeaderSet(options: HeadersOptions, where = ''): HeaderSet {
  const at = (name: string) => (where === '' ? name : `${where}.${name}`)
  const given = validate.object(where, options)
  validate.knownKeys(where, given, OPTION_NAMES)
  const value = <K extends keyof HeadersOptions>(name: K): NonNullable<HeadersOptions[K]> =>
    (options[name] ?? DEFAULTS[name]) as NonNullable<HeadersOptions[K]>
  const fixed: [string, string][] = []
  const text = (name: string, header: string, raw: unknown) => {
    if (raw === false) return
    fixed.push([header, validate.string(at(name), raw, { pattern: HEADER_VALUE })])
  }

  const production = validate.boolean(at('production'), value('production'))
  if (validate.boolean(at('contentTypeOptions'), value('contentTypeOptions'))) {
    fixed.push(['x-content-type-options', 'nosniff'])
  }
  const frame = value('frameOptions')
  if (frame !== false)
    fixed.push(['x-frame-options', validate.oneOf(at('frameOptions'), frame, ['DENY', 'SAMEORIGIN'])])
  const referrer = value('referrerPolicy')
  if (referrer !== false) {
    const tokens = validate
      .string(at('referrerPolicy'), referrer)
      .split(',')
      .map((token) => token.trim())
    for (const token of tokens) validate.oneOf(at('referrerPolicy'), token, REFERRER_POLICIES)
    fixed.push(['referrer-policy', tokens.join(', ')])
  }
  const permissions = permissionsValue(value('permissionsPolicy'), at('permissionsPolicy'))
  if (permissions !== undefined) fixed.push(['permissions-policy', permissions])
  text('cacheControl', 'cache-control', value('cacheControl'))
  const coop = value('crossOriginOpenerPolicy')
  if (coop !== false) {
    fixed.push([
      'cross-origin-opener-policy',
      validate.oneOf(at('crossOriginOpenerPolicy'), coop, [
        'same-origin',
        'same-origin-allow-popups',
        'noopener-allow-popups',
        'unsafe-none',
      ]),
    ])
  }
  const corp = value('crossOriginResourcePolicy')
  if (corp !== false) {
    fixed.push([
      'cross-origin-resource-policy',
      validate.oneOf(at('crossOriginResourcePolicy'), corp, ['same-origin', 'same-site', 'cross-origin']),
    ])
  }
  if (validate.boolean(at('xssProtection'), value('xssProtection'))) fixed.push(['x-xss-protection', '0'])
  if (validate.boolean(at('permittedCrossDomainPolicies'), value('permittedCrossDomainPolicies'))) {
    fixed.push(['x-permitted-cross-domain-policies', 'none'])
  }
  if (validate.boolean(at('dnsPrefetchControl'), value('dnsPrefetchControl')))
    fixed.push(['x-dns-prefetch-control', 'off'])

  const serverValue = value('server')
  const server = serverValue === false ? false : validate.string(at('server'), serverValue, { pattern: HEADER_VALUE })

  const hstsOptions = value('hsts')
  let hsts: string | undefined
  if (hstsOptions !== false) {
    const hstsGiven = validate.object(at('hsts'), hstsOptions)
    validate.knownKeys(at('hsts'), hstsGiven, ['maxAge', 'includeSubDomains', 'preload'])
    const maxAge = validate.integer(at('hsts.maxAge'), hstsOptions.maxAge ?? 31_536_000, { min: 0 })
    const sub = validate.boolean(at('hsts.includeSubDomains'), hstsOptions.includeSubDomains ?? true)
    const preload = validate.boolean(at('hsts.preload'), hstsOptions.preload ?? false)
    if (preload && (maxAge < 31_536_000 || !sub)) {
      validate.fail(
        at('hsts.preload'),
        'needs maxAge >= 31536000 and includeSubDomains (the preload list requires both)',
      )
    }
    if (production) hsts = `max-age=${maxAge}${sub ? '; includeSubDomains' : ''}${preload ? '; preload' : ''}`
  }

  const nonce = validate.boolean(at('cspNonce'), value('cspNonce'))
  const csp = cspValue(value('csp'), nonce, at('csp'))
  const cspReportOnly = cspValue(value('cspReportOnly'), nonce, at('cspReportOnly'))
  return Object.freeze({ fixed: Object.freeze(fixed), hsts, server, csp, cspReportOnly, nonce })
}

function cspValue(policy: CspPolicy | false, nonce: boolean, option: string): CompiledCsp | undefined {
  if (policy === false) return undefined
  if (typeof policy !== 'string') validate.object(option, policy)
  try {
    return compileCsp(policy, nonce)
  } catch (error) {
    return validate.fail(option, `is not a valid policy: ${(error as Error).message}`)
  }
}

function permissionsValue(policy: PermissionsPolicy | false, option: string): string | undefined {
  if (policy === false) return undefined
  validate.object(option, policy)
  const merged: Record<string, readonly string[] | null> = { ...SEED_PERMISSIONS_POLICY, ...policy }
  const items: string[] = []
  for (const [feature, allowlist] of Object.entries(merged)) {
    if (allowlist === null) continue
    if (!FEATURE.test(feature)) validate.fail(`${option}.${feature}`, 'is not a feature name')
    const list = validate.stringList(`${option}.${feature}`, allowlist)
    for (const item of list) {
      if (!ALLOWLIST_ITEM.test(item)) {
        validate.fail(`${option}.${feature}`, 'items must be self, src, * or a double-quoted origin', item)
      }
    }
    items.push(list.includes('*') ? `${feature}=*` : `${feature}=(${list.join(' ')})`)
  }
  return items.length === 0 ? undefined : items.join(', ')
}

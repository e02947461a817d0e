import { compileCsp } from './csp.js'
import type { ResolvedHeadersOptions } from './options.js'
import { serialisePermissionsPolicy } from './permissions-policy.js'

/** Everything one response needs, built once per plugin and once per route with its own options. */
export interface HeaderSet {
  /** Lower-case names of the headers added unless the response already has them. */
  readonly names: readonly string[]
  /** Their values, index for index. */
  readonly values: readonly string[]
  /** `Server`: the masking value, or false to remove it. */
  readonly server: string | false
  /** `Strict-Transport-Security`, when production and enabled; sent only over https. */
  readonly hsts: string | undefined
  /** `Content-Security-Policy`, split where the nonce goes (one part without nonces). */
  readonly csp: readonly string[] | undefined
  /** `Content-Security-Policy-Report-Only`, split the same way. */
  readonly cspReportOnly: readonly string[] | undefined
  /** Whether the policies carry a nonce (`reply.cspNonce` is defined). */
  readonly nonce: boolean
}

/** Builds every header string of a resolved configuration; nothing is left for the request but copying. */
export function compileHeaderSet(options: ResolvedHeadersOptions): HeaderSet {
  const names: string[] = []
  const values: string[] = []
  const add = (name: string, value: string | false | undefined): void => {
    if (value === false || value === undefined) return
    names.push(name)
    values.push(value)
  }
  add('x-content-type-options', options.contentTypeOptions && 'nosniff')
  add('x-frame-options', options.frameOptions)
  add('referrer-policy', options.referrerPolicy)
  add('permissions-policy', options.permissionsPolicy && serialisePermissionsPolicy(options.permissionsPolicy))
  add('cache-control', options.cacheControl)
  add('cross-origin-opener-policy', options.crossOriginOpenerPolicy)
  add('cross-origin-resource-policy', options.crossOriginResourcePolicy)
  add('cross-origin-embedder-policy', options.crossOriginEmbedderPolicy)
  add('x-xss-protection', options.xssProtection && '0')
  add('x-permitted-cross-domain-policies', options.permittedCrossDomainPolicies)
  add('x-dns-prefetch-control', options.dnsPrefetchControl)

  const hsts = options.hsts
  const csp = options.csp === false ? undefined : compileCsp(options.csp, options.cspNonce)
  const cspReportOnly =
    options.cspReportOnly === false ? undefined : compileCsp(options.cspReportOnly, options.cspNonce)
  return Object.freeze({
    names: Object.freeze(names),
    values: Object.freeze(values),
    server: options.server,
    hsts:
      options.production && hsts !== false
        ? `max-age=${hsts.maxAge}${hsts.includeSubDomains ? '; includeSubDomains' : ''}${hsts.preload ? '; preload' : ''}`
        : undefined,
    csp,
    cspReportOnly,
    nonce: (csp !== undefined && csp.length > 1) || (cspReportOnly !== undefined && cspReportOnly.length > 1),
  })
}

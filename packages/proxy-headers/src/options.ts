import { compileTrustedProxies, type ForwardedHeader, NAMED_RANGES, OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** Options of @rampart/proxy-headers. */
export interface ProxyHeadersOptions {
  /**
   * Read proxy headers at all. Default: `false`: nobody is trusted and the client is the socket
   * peer (the seed's `trust_proxy_headers = False`). Turn it on only behind a proxy you run.
   */
  enabled?: boolean
  /**
   * The proxies whose headers are believed: addresses, IPv4/IPv6 CIDRs (`10.0.0.0/8`,
   * `2001:db8::/32`) and the named ranges `loopback`, `linklocal`, `uniquelocal`.
   * Default: `['127.0.0.1', '::1']` (the seed's). Checked at register even when `enabled` is false.
   */
  trustedProxies?: readonly string[]
  /**
   * The header your proxies write. `auto` reads `X-Forwarded-For`, else `Forwarded` (RFC 7239),
   * else `X-Real-IP`. Default: `'auto'`. Name the one your proxy sets when you can.
   */
  header?: ForwardedHeader
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedProxyHeadersOptions {
  readonly enabled: boolean
  readonly trustedProxies: readonly string[]
  readonly header: ForwardedHeader
}

export const FORWARDED_HEADERS: readonly ForwardedHeader[] = Object.freeze([
  'auto',
  'x-forwarded-for',
  'forwarded',
  'x-real-ip',
])

export const DEFAULTS: ResolvedProxyHeadersOptions = Object.freeze({
  enabled: false,
  trustedProxies: Object.freeze(['127.0.0.1', '::1']),
  header: 'auto',
})

const validate = new OptionValidator(PACKAGE)
const NAMED = Object.keys(NAMED_RANGES).join(', ')

/** Validates the user's options and folds in the defaults; throws RAMPART_PROXY_HEADERS_INVALID_OPTION. */
export function resolveOptions(options: ProxyHeadersOptions = {}): ResolvedProxyHeadersOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, Object.keys(DEFAULTS))
  const enabled = validate.boolean('enabled', options.enabled ?? DEFAULTS.enabled)
  const trustedProxies = validate.stringList('trustedProxies', options.trustedProxies ?? DEFAULTS.trustedProxies)
  trustedProxies.forEach((entry, index) => {
    try {
      compileTrustedProxies([entry])
    } catch (error) {
      validate.fail(
        `trustedProxies[${index}]`,
        `must be an IP address, a CIDR (10.0.0.0/8, 2001:db8::/32) or one of ${NAMED}: ${(error as Error).message}`,
      )
    }
  })
  if (enabled && trustedProxies.length === 0) {
    validate.fail('trustedProxies', 'must name at least one proxy when enabled is true')
  }
  return Object.freeze({
    enabled,
    trustedProxies: Object.freeze(trustedProxies),
    header: validate.oneOf('header', options.header ?? DEFAULTS.header, FORWARDED_HEADERS),
  })
}

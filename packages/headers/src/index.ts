export {
  buildCsp,
  type CspDirectiveMap,
  type CspDirectives,
  type CspDirectiveValue,
  type CspPolicy,
  type NonceDirective,
  parseCsp,
  SEED_CSP_DIRECTIVES,
} from './csp.js'
export { compileHeaderSet, type HeaderSet } from './header-set.js'
export {
  DEFAULTS,
  type HeadersOptions,
  type HstsOptions,
  type ReferrerPolicyToken,
  type ResolvedHeadersOptions,
  type RouteHeadersOptions,
  resolveOptions,
  resolveRouteOptions,
} from './options.js'
export { type PermissionsPolicy, type PermissionsPolicyMap, SEED_PERMISSIONS_POLICY } from './permissions-policy.js'
export { applySecurityHeaders, default, rampartHeaders } from './plugin.js'

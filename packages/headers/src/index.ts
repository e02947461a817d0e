export {
  type CompiledCsp,
  type CspDirectives,
  type CspPolicy,
  compileCsp,
  SEED_CSP_DIRECTIVES,
  validateCsp,
} from './csp.js'
export {
  compileHeaderSet,
  DEFAULTS,
  type HeaderSet,
  type HeadersOptions,
  type HstsOptions,
  type PermissionsPolicy,
  type RouteHeadersOptions,
  SEED_PERMISSIONS_POLICY,
} from './options.js'
export { default, rampartHeaders } from './plugin.js'

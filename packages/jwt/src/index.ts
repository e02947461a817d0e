export { ALGORITHMS, type AsymmetricAlgorithm, type JwtAlgorithm, MIN_SECRET_BYTES } from './algorithms.js'
export { type JwtDenylist, MEMORY_DENYLIST_DEFAULTS, MemoryDenylist, type MemoryDenylistOptions } from './denylist.js'
export {
  type RejectedEvent,
  type RejectionReason,
  rejectedChannel,
  type VerifiedEvent,
  verifiedChannel,
} from './diagnostics.js'
export {
  DenylistFailedError,
  DenylistFullError,
  INSUFFICIENT_SCOPE,
  INVALID,
  KeysUnavailableError,
  MISSING,
  SignFailedError,
  UNAVAILABLE,
} from './errors.js'
export {
  createTokenIssuer,
  type IssuedToken,
  type JwtClaims,
  type SignOptions,
  TokenIssuer,
  type TokenResponse,
} from './issuer.js'
export { JWKS_DEFAULTS, type JwksOptions } from './jwks.js'
export type { JwtKey } from './keys.js'
export {
  CACHE_DEFAULTS,
  DEFAULTS,
  type JwtCacheOptions,
  type JwtHook,
  type JwtPluginOptions,
  type JwtStrategyOptions,
  type ResolvedPluginOptions,
  type ResolvedStrategyOptions,
  resolveOptions,
  resolveStrategyOptions,
  type TokenIssuerOptions,
} from './options.js'
export { default, rampartJwt } from './plugin.js'
export { REDIS_DENYLIST_DEFAULTS, RedisDenylist, type RedisDenylistOptions } from './redis-denylist.js'
export type { JwtRouteOptions } from './route-config.js'
export { createJwtStrategy, type JwtStats, type JwtStrategy } from './strategy.js'

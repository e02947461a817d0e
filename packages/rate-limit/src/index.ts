export {
  ALGORITHM_NAMES,
  type Algorithm,
  type AlgorithmName,
  type Evaluation,
  type PolicyParameters,
  type Usage,
} from './algorithms/algorithm.js'
export { ALGORITHMS } from './algorithms/registry.js'
export { CLIENT_KEY_LENGTH, defaultClientKey, hashClientKey, identityOrAddressKey } from './client-key.js'
export {
  type BannedEvent,
  bannedChannel,
  type ExceededEvent,
  exceededChannel,
  type NearLimitEvent,
  nearLimitChannel,
  type PolicyEvent,
  type StoreStateEvent,
  storeStateChannel,
} from './diagnostics.js'
export { BANNED, EXCEEDED, ScopeConflictError, STORE_UNAVAILABLE, UnknownLimiterError } from './errors.js'
export { factorOf, MULTIPLIER_DEFAULTS, type MultiplierOptions, type Multipliers } from './multipliers.js'
export {
  type BanOptions,
  DEFAULTS,
  type KeyFunction,
  type LimiterHook,
  type RateLimitOptions,
  type ResolvedRateLimitOptions,
  resolveOptions,
} from './options.js'
export { default, getRateLimit, type RateLimitInfo, rampartRateLimit } from './plugin.js'
export {
  type BanRule,
  compilePolicy,
  FAILURE_MODES,
  type FailureMode,
  type Policy,
  type PolicyOptions,
  type PolicySet,
} from './policy.js'
export type { RedisOption, RedisOptionValue } from './redis-option.js'
export type { RoutePolicyOptions, RouteRateLimit } from './route-config.js'
export type { ConsumeResult, PolicyDecision, RateLimitStore } from './store.js'
export type { BreakerState } from './stores/circuit-breaker.js'
export { MEMORY_STORE_DEFAULTS, MemoryStore, type MemoryStoreOptions, type TableStats } from './stores/memory-store.js'
export { RATE_LIMIT_SCRIPT, RATE_LIMIT_SCRIPT_SHA } from './stores/redis-script.js'
export { RedisStore } from './stores/redis-store.js'
export {
  REDIS_STORE_DEFAULTS,
  type RedisClient,
  type RedisClock,
  type RedisStoreOptions,
  type StoreLogger,
} from './stores/redis-store-options.js'

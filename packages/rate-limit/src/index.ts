export {
  ALGORITHM_NAMES,
  type Algorithm,
  type AlgorithmName,
  type Evaluation,
  type PolicyParameters,
  type Usage,
} from './algorithms/algorithm.js'
export { ALGORITHMS } from './algorithms/registry.js'
export { CLIENT_KEY_LENGTH, defaultClientKey, hashClientKey } from './client-key.js'
export {
  type ExceededEvent,
  exceededChannel,
  type NearLimitEvent,
  nearLimitChannel,
  type PolicyEvent,
} from './diagnostics.js'
export { EXCEEDED, ScopeConflictError, UnknownLimiterError } from './errors.js'
export {
  DEFAULTS,
  type KeyFunction,
  type LimiterHook,
  type RateLimitOptions,
  type ResolvedRateLimitOptions,
  resolveOptions,
} from './options.js'
export { default, getRateLimit, type RateLimitInfo, rampartRateLimit } from './plugin.js'
export { compilePolicy, type Policy, type PolicyOptions, type PolicySet } from './policy.js'
export type { RoutePolicyOptions, RouteRateLimit } from './route-config.js'
export type { ConsumeResult, PolicyDecision, RateLimitStore } from './store.js'
export { MEMORY_STORE_DEFAULTS, MemoryStore, type MemoryStoreOptions, type TableStats } from './stores/memory-store.js'

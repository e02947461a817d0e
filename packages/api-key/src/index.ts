export {
  type AuthenticatedEvent,
  authenticatedChannel,
  type FailedEvent,
  type FailureReason,
  failedChannel,
} from './diagnostics.js'
export {
  INSUFFICIENT_SCOPE,
  INVALID,
  InvalidRecordError,
  LookupFailedError,
  MISSING,
  StoreConflictError,
  UNAVAILABLE,
} from './errors.js'
export {
  digestApiKey,
  digestsEqual,
  type GenerateApiKeyOptions,
  type GeneratedApiKey,
  generateApiKey,
  hashApiKey,
  type Pepper,
} from './hashing.js'
export {
  type ApiKeyCacheOptions,
  type ApiKeyHook,
  type ApiKeyPluginOptions,
  type ApiKeyStrategyOptions,
  type ApiKeyValidator,
  CACHE_DEFAULTS,
  DEFAULTS,
  type ResolvedPluginOptions,
  type ResolvedStrategyOptions,
  resolveOptions,
  resolveStrategyOptions,
} from './options.js'
export { default, rampartApiKey } from './plugin.js'
export type { ApiKeyDefinition, ApiKeyRecord, StoredApiKey } from './records.js'
export { REDIS_STORE_DEFAULTS, RedisApiKeyStore, type RedisApiKeyStoreOptions } from './redis-store.js'
export type { ApiKeyRouteOptions } from './route-config.js'
export type { ApiKeyStore } from './store.js'
export { type ApiKeyStrategy, createApiKeyStrategy } from './strategy.js'

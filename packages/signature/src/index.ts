export {
  type CanonicalRequest,
  canonicalQuery,
  canonicalString,
  EMPTY_BODY_SHA256,
  encodeRfc3986,
  hmacSha256,
  queryPairs,
  SCHEME,
} from './canonical.js'
export {
  type RejectedEvent,
  type RejectionReason,
  rejectedChannel,
  type VerifiedEvent,
  verifiedChannel,
} from './diagnostics.js'
export {
  EXPIRED,
  INVALID,
  InvalidArgumentError,
  MISSING,
  NonceStoreFullError,
  PACKAGE,
  REPLAYED,
  UNAVAILABLE,
  UNKNOWN_KEY,
} from './errors.js'
export { HashingStream } from './hashing-stream.js'
export {
  KEY_ID_PATTERN,
  NONCE_PATTERN,
  SIGNATURE_HEADERS,
  SIGNATURE_PATTERN,
  type SignatureHeaders,
  TIMESTAMP_PATTERN,
} from './headers.js'
export {
  MEMORY_STORE_DEFAULTS,
  MemoryNonceStore,
  type MemoryNonceStoreOptions,
  type NonceStore,
} from './nonce-store.js'
export {
  DEFAULTS,
  MIN_SECRET_BYTES,
  type ResolvedNonceStore,
  type ResolvedSignatureOptions,
  resolveOptions,
  type SignatureOptions,
  type SigningSecret,
} from './options.js'
export { default, rampartSignature } from './plugin.js'
export { REDIS_STORE_DEFAULTS, RedisNonceStore, type RedisNonceStoreOptions } from './redis-nonce-store.js'
export type { RouteState, SignatureRouteOptions } from './route-config.js'
export { type SignableBody, type SignRequestOptions, signRequest } from './sign.js'

export { AMBIGUOUS, COOKIE_NAME_PATTERN, type CookieRead, MAX_COOKIE_HEADER_LENGTH, readCookie } from './cookie.js'
export {
  type CreatedEvent,
  createdChannel,
  type DestroyedEvent,
  destroyedChannel,
  type ExpiredEvent,
  expiredChannel,
  type RevokedEvent,
  type RotatedEvent,
  revokedChannel,
  rotatedChannel,
  type SessionEvent,
} from './diagnostics.js'
export {
  ENDED,
  InvalidArgumentError,
  InvalidRouteOptionError,
  NotRegisteredError,
  SessionDataError,
  UNAVAILABLE,
} from './errors.js'
export { MEMORY_STORE_DEFAULTS, MemorySessionStore, type MemorySessionStoreOptions } from './memory-store.js'
export {
  DEFAULTS,
  type ResolvedSessionOptions,
  type ResolvedSessionStore,
  resolveOptions,
  type SessionOptions,
} from './options.js'
export {
  default,
  ensureSessionId,
  getSessionId,
  type RampartSessionApi,
  rampartSession,
} from './plugin.js'
export { REDIS_STORE_DEFAULTS, RedisSessionStore, type RedisSessionStoreOptions } from './redis-store.js'
export { Session } from './session.js'
export { HANDLE_PATTERN, SESSION_ID_PATTERN, sessionHandle } from './session-id.js'
export type { SessionInfo } from './session-manager.js'
export { checkStoredSession, decodeSession, encodeSession, type SessionStore, type StoredSession } from './store.js'

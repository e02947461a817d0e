/**
 * One session as a store keeps it. All times are epoch milliseconds (UTC by definition: there is
 * no timezone to get wrong). The session id itself is never stored: the store is keyed by its
 * handle (SHA-256 of the id), so the store's contents cannot be replayed as cookies.
 */
export interface StoredSession {
  /** The user the session was logged in as (`login()`), or `null` for an anonymous session. */
  readonly userId: string | null
  /** What the application stored with `set()`: JSON values only. */
  readonly data: Readonly<Record<string, unknown>>
  /** When the session was created (or logged in: `login()` starts a new lifetime). */
  readonly createdAt: number
  /** Last activity saved (at most one write per `touchInterval`); the idle timeout counts from here. */
  readonly lastSeenAt: number
  /** When the session ends whatever the activity: `createdAt + absoluteTimeout`. */
  readonly absoluteExpiresAt: number
  /** Hash of the `User-Agent` it is bound to (`bindUserAgent`), or `null`. */
  readonly userAgentHash: string | null
  /** Short reference (`ref`) of the session this one was rotated from, or `null`. */
  readonly rotatedFrom: string | null
}

/**
 * Where sessions are kept. The plugin checks idle and absolute expiry itself on every load (with
 * its `now`), so a store's own expiry (`ttl`, in ms) only reclaims space. Methods may return
 * values or promises; a store that throws or rejects makes the plugin answer 503.
 */
export interface SessionStore {
  /** The session stored under `handle`, or `null`. */
  get(handle: string): StoredSession | null | Promise<StoredSession | null>
  /** Stores a new session under `handle` for `ttl` ms and indexes it under its `userId`, if any. */
  create(handle: string, session: StoredSession, ttl: number): void | Promise<void>
  /**
   * Replaces the session under `handle` and sets its lifetime to `ttl` ms, only if it still
   * exists: `false` (and nothing written) when it was deleted meanwhile, so a revoked session is
   * never written back. The user id never changes (a login is a new handle).
   */
  update(handle: string, session: StoredSession, ttl: number): boolean | Promise<boolean>
  /** Sets `lastSeenAt` and a lifetime of `ttl` ms, only if the session still exists (`false` otherwise). */
  touch(handle: string, lastSeenAt: number, ttl: number): boolean | Promise<boolean>
  /** Deletes the session under `handle` and unindexes it; returns its user id, or `null` when there was no session. */
  delete(handle: string): { userId: string | null } | null | Promise<{ userId: string | null } | null>
  /** The sessions indexed under `userId`, as `[handle, session]` (expired ones may be included). */
  list(
    userId: string,
  ): ReadonlyArray<readonly [string, StoredSession]> | Promise<ReadonlyArray<readonly [string, StoredSession]>>
  /** Deletes every session of `userId` except the one under `except`; returns how many were deleted. */
  deleteAll(userId: string, except?: string): number | Promise<number>
  /** Releases what the store holds; called when Fastify closes. */
  close?(): void | Promise<void>
}

/** The record without `lastSeenAt` (kept apart so a touch rewrites one number, not the data), as JSON. */
export function encodeSession(session: StoredSession): string {
  return JSON.stringify({
    userId: session.userId,
    data: session.data,
    createdAt: session.createdAt,
    absoluteExpiresAt: session.absoluteExpiresAt,
    userAgentHash: session.userAgentHash,
    rotatedFrom: session.rotatedFrom,
  })
}

/** Parses what `encodeSession` wrote; `null` for anything else (a store holding junk yields no session). */
export function decodeSession(json: string, lastSeenAt: number): StoredSession | null {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return null
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
  return checkStoredSession({ ...(value as Record<string, unknown>), lastSeenAt })
}

/** `value` if it has the shape of a `StoredSession`, else `null`. The plugin checks what every store returns. */
export function checkStoredSession(value: unknown): StoredSession | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
  const { userId, data, createdAt, lastSeenAt, absoluteExpiresAt, userAgentHash, rotatedFrom } = value as Record<
    string,
    unknown
  >
  if (userId !== null && (typeof userId !== 'string' || userId.length === 0)) return null
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null
  if (!isTime(createdAt) || !isTime(absoluteExpiresAt) || !isTime(lastSeenAt)) return null
  if (userAgentHash !== null && typeof userAgentHash !== 'string') return null
  if (rotatedFrom !== null && typeof rotatedFrom !== 'string') return null
  return {
    userId,
    data: data as Record<string, unknown>,
    createdAt,
    lastSeenAt,
    absoluteExpiresAt,
    userAgentHash,
    rotatedFrom,
  }
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

import { expiredChannel } from './diagnostics.js'
import { InvalidArgumentError } from './errors.js'
import { shortRef } from './session-id.js'
import { decodeSession, encodeSession, type SessionStore, type StoredSession } from './store.js'

/** Options of `MemorySessionStore`. */
export interface MemorySessionStoreOptions {
  /** Sessions held at most; when full, the least recently written one is evicted. Default 10,000. */
  maxSessions?: number
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

export const MEMORY_STORE_DEFAULTS = Object.freeze({ maxSessions: 10_000 })

interface Entry {
  /** `encodeSession` output: a copy, so objects the application keeps never alias the store. */
  json: string
  userId: string | null
  lastSeenAt: number
  expiresAt: number
}

/**
 * Sessions in this process's memory: two Maps in write order (every write moves a session to the
 * end), one for anonymous sessions and one for logged-in ones. When `maxSessions` are held the
 * least recently active anonymous session is evicted, and a logged-in one only when there is no
 * anonymous session left, so a flood of anonymous visitors cannot log users out. Expired sessions
 * are dropped when met. Not shared between processes: with more than one instance, use
 * `RedisSessionStore`.
 */
export class MemorySessionStore implements SessionStore {
  readonly maxSessions: number
  readonly #now: () => number
  readonly #anonymous = new Map<string, Entry>()
  readonly #loggedIn = new Map<string, Entry>()
  readonly #byUser = new Map<string, Set<string>>()

  constructor(options: MemorySessionStoreOptions = {}) {
    const maxSessions = options.maxSessions ?? MEMORY_STORE_DEFAULTS.maxSessions
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) {
      throw new InvalidArgumentError('MemorySessionStore: maxSessions must be a positive integer')
    }
    this.maxSessions = maxSessions
    this.#now = options.now ?? Date.now
  }

  /** Sessions held, expired ones included until they are met. */
  get size(): number {
    return this.#anonymous.size + this.#loggedIn.size
  }

  get(handle: string): StoredSession | null {
    const entry = this.#live(handle)
    return entry === null ? null : decodeSession(entry.json, entry.lastSeenAt)
  }

  create(handle: string, session: StoredSession, ttl: number): void {
    this.#remove(handle)
    this.#dropExpiredFront(this.#anonymous)
    this.#dropExpiredFront(this.#loggedIn)
    while (this.size >= this.maxSessions) this.#evictOldest()
    this.#mapOf(session.userId).set(handle, {
      json: encodeSession(session),
      userId: session.userId,
      lastSeenAt: session.lastSeenAt,
      expiresAt: this.#now() + ttl,
    })
    if (session.userId !== null) {
      let handles = this.#byUser.get(session.userId)
      if (handles === undefined) this.#byUser.set(session.userId, (handles = new Set()))
      handles.add(handle)
    }
  }

  update(handle: string, session: StoredSession, ttl: number): boolean {
    const entry = this.#live(handle)
    if (entry === null) return false
    entry.json = encodeSession(session)
    entry.lastSeenAt = session.lastSeenAt
    this.#renew(handle, entry, ttl)
    return true
  }

  touch(handle: string, lastSeenAt: number, ttl: number): boolean {
    const entry = this.#live(handle)
    if (entry === null) return false
    entry.lastSeenAt = lastSeenAt
    this.#renew(handle, entry, ttl)
    return true
  }

  delete(handle: string): { userId: string | null } | null {
    const entry = this.#live(handle)
    if (entry === null) return null
    this.#remove(handle)
    return { userId: entry.userId }
  }

  list(userId: string): Array<[string, StoredSession]> {
    const found: Array<[string, StoredSession]> = []
    for (const handle of [...(this.#byUser.get(userId) ?? [])]) {
      const session = this.get(handle)
      if (session !== null) found.push([handle, session])
    }
    return found
  }

  deleteAll(userId: string, except?: string): number {
    let deleted = 0
    for (const handle of [...(this.#byUser.get(userId) ?? [])]) {
      if (handle !== except && this.delete(handle) !== null) deleted++
    }
    return deleted
  }

  close(): void {
    this.#anonymous.clear()
    this.#loggedIn.clear()
    this.#byUser.clear()
  }

  #mapOf(userId: string | null): Map<string, Entry> {
    return userId === null ? this.#anonymous : this.#loggedIn
  }

  /** The entry under `handle` if it has not expired; an expired one is removed. */
  #live(handle: string): Entry | null {
    const entry = this.#anonymous.get(handle) ?? this.#loggedIn.get(handle)
    if (entry === undefined) return null
    if (entry.expiresAt <= this.#now()) {
      this.#remove(handle)
      return null
    }
    return entry
  }

  #renew(handle: string, entry: Entry, ttl: number): void {
    entry.expiresAt = this.#now() + ttl
    const map = this.#mapOf(entry.userId)
    map.delete(handle)
    map.set(handle, entry)
  }

  #remove(handle: string): void {
    const entry = this.#anonymous.get(handle) ?? this.#loggedIn.get(handle)
    if (entry === undefined) return
    this.#mapOf(entry.userId).delete(handle)
    if (entry.userId === null) return
    const handles = this.#byUser.get(entry.userId)
    if (handles === undefined) return
    handles.delete(handle)
    if (handles.size === 0) this.#byUser.delete(entry.userId)
  }

  /** Drops expired sessions at the front of `map` (the least recently written), stopping at the first live one. */
  #dropExpiredFront(map: Map<string, Entry>): void {
    const now = this.#now()
    for (const [handle, entry] of map) {
      if (entry.expiresAt > now) return
      this.#remove(handle)
    }
  }

  #evictOldest(): void {
    const oldest = (this.#anonymous.size > 0 ? this.#anonymous : this.#loggedIn).entries().next()
    if (oldest.done === true) return
    const [handle, entry] = oldest.value
    this.#remove(handle)
    if (expiredChannel.hasSubscribers) {
      expiredChannel.publish({
        reason: 'evicted',
        ref: shortRef(handle),
        ...(entry.userId === null ? {} : { userId: entry.userId }),
      })
    }
  }
}

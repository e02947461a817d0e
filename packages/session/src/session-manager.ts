import { INTERNAL_ERROR, problemBody, RETRY_SOON, RefusalError, type RefusalKind, refusalChannel } from '@rampart/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AMBIGUOUS, readCookie, SessionCookie } from './cookie.js'
import { createdChannel, destroyedChannel, expiredChannel, revokedChannel, rotatedChannel } from './diagnostics.js'
import { ENDED, InvalidArgumentError, UNAVAILABLE } from './errors.js'
import type { ResolvedSessionOptions } from './options.js'
import { kState, MAX_USER_ID_LENGTH, Session, type SessionState } from './session.js'
import { generateSessionId, HANDLE_PATTERN, isSessionId, sessionHandle, shortRef, userAgentHash } from './session-id.js'
import { checkStoredSession, type SessionStore, type StoredSession } from './store.js'

/** A session of a user, as `list()` shows it: never the id, only its handle. */
export interface SessionInfo {
  /** SHA-256 of the id (hex): give it to `revoke()`. */
  readonly handle: string
  /** The handle's first 16 characters, as events carry it. */
  readonly ref: string
  readonly userId: string
  readonly createdAt: number
  readonly lastSeenAt: number
  /** When the session ends if unused: `lastSeenAt + idleTimeout` (capped by the absolute expiry). */
  readonly idleExpiresAt: number
  readonly absoluteExpiresAt: number
  readonly userAgentHash: string | null
  readonly rotatedFrom: string | null
}

/**
 * How long a store keeps a session past its end (idle or absolute). The plugin refuses it from the
 * exact end on; the grace only lets a request arriving just after be reported as `expired`, with its
 * reason, instead of as an unknown cookie.
 */
export const EXPIRY_GRACE = 300_000

const UNAVAILABLE_DETAIL = 'The session store is unavailable; retry later.'

/** The plugin's runtime: loads, rotates, saves and revokes sessions over one store. */
export class SessionManager {
  readonly settings: ResolvedSessionOptions
  readonly store: SessionStore
  readonly cookie: SessionCookie
  readonly now: () => number

  constructor(settings: ResolvedSessionOptions, store: SessionStore) {
    this.settings = settings
    this.store = store
    this.now = settings.now
    this.cookie = new SessionCookie({
      name: settings.cookieName,
      secure: settings.secure,
      sameSite: settings.sameSite,
      persistent: settings.persistent,
    })
  }

  /** Whether the request sends the session cookie at all (then loading it costs a store read). */
  hasCookie(request: FastifyRequest): boolean {
    const header = request.headers.cookie
    return header?.includes(this.cookie.name) === true
  }

  /**
   * The request's session: the stored one its cookie names when that is live, else an empty
   * anonymous one. A malformed, ambiguous, unknown, expired or (when bound) foreign-agent cookie
   * is no session, never an error. Rejects with the 503 refusal when the store fails.
   */
  async load(request: FastifyRequest): Promise<Session> {
    const value = readCookie(request.headers.cookie, this.cookie.name)
    if (value === null) return this.empty(request, false)
    if (value === AMBIGUOUS || !isSessionId(value)) {
      request.log.debug(
        { cookie: this.cookie.name },
        value === AMBIGUOUS ? 'session cookie sent twice: ignored' : 'malformed session cookie: ignored',
      )
      return this.empty(request, true)
    }
    const handle = sessionHandle(value)
    let stored: StoredSession | null
    try {
      const found = await this.store.get(handle)
      stored = found === null ? null : checkStoredSession(found)
      if (found !== null && stored === null) request.log.warn('session store returned a malformed session: ignored')
    } catch (error) {
      request.log.error({ err: error }, 'session store failed to load a session')
      throw new RefusalError(UNAVAILABLE, { detail: UNAVAILABLE_DETAIL, headers: RETRY_SOON })
    }
    if (stored === null) return this.empty(request, true)
    const now = this.now()
    const expiry =
      now >= stored.absoluteExpiresAt
        ? 'absolute'
        : now - stored.lastSeenAt >= this.settings.idleTimeout
          ? 'idle'
          : null
    if (expiry !== null) {
      await this.#discard(request, handle)
      if (expiredChannel.hasSubscribers) {
        expiredChannel.publish({ request, reason: expiry, ref: shortRef(handle), ...userOf(stored.userId) })
      }
      return this.empty(request, true)
    }
    if (this.settings.bindUserAgent && stored.userAgentHash !== userAgentHash(request.headers['user-agent'])) {
      await this.#discard(request, handle)
      if (revokedChannel.hasSubscribers) {
        revokedChannel.publish({
          request,
          reason: 'user-agent-mismatch',
          count: 1,
          ref: shortRef(handle),
          ...userOf(stored.userId),
        })
      }
      return this.empty(request, true)
    }
    return new Session(this, request, {
      id: value,
      handle,
      stored: true,
      cookiePresent: true,
      userId: stored.userId,
      data: new Map(Object.entries(stored.data)),
      createdAt: stored.createdAt,
      lastSeenAt: stored.lastSeenAt,
      absoluteExpiresAt: stored.absoluteExpiresAt,
      userAgentHash: stored.userAgentHash,
      rotatedFrom: stored.rotatedFrom,
      changed: false,
      touchDue: now - stored.lastSeenAt >= this.settings.touchInterval,
      destroyed: false,
      rotation: null,
      previousRef: null,
    })
  }

  /** An anonymous session with nothing stored: no id until something is set. */
  empty(request: FastifyRequest, cookiePresent: boolean): Session {
    const now = this.now()
    return new Session(this, request, {
      id: null,
      handle: null,
      stored: false,
      cookiePresent,
      userId: null,
      data: new Map(),
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.settings.absoluteTimeout,
      userAgentHash: null,
      rotatedFrom: null,
      changed: false,
      touchDue: false,
      destroyed: false,
      rotation: null,
      previousRef: null,
    })
  }

  /** Gives a new session its id (saved at the end of the request); returns the id. */
  ensureId(state: SessionState): string {
    if (state.id !== null) return state.id
    const now = this.now()
    state.id = generateSessionId()
    state.handle = sessionHandle(state.id)
    state.createdAt = now
    state.lastSeenAt = now
    state.absoluteExpiresAt = now + this.settings.absoluteTimeout
    state.changed = true
    return state.id
  }

  /** A new id for the session; the stored one is deleted now. See `Session.regenerate` and `Session.login`. */
  async rotate(request: FastifyRequest, state: SessionState, reason: 'login' | 'regenerate'): Promise<void> {
    if (state.stored && state.handle !== null) {
      const handle = state.handle
      const deleted = await this.#delete(request, handle)
      state.stored = false
      state.previousRef = shortRef(handle)
      if (deleted === null && reason === 'regenerate') {
        // Revoked or expired meanwhile: carrying its user and data to a new id would undo the revocation.
        this.#reset(state)
        throw new RefusalError(ENDED, {
          detail: 'The session ended while the request was handled; log in again.',
          headers: { 'www-authenticate': 'Cookie realm="session"' },
        })
      }
    }
    state.id = generateSessionId()
    state.handle = sessionHandle(state.id)
    state.rotatedFrom = state.previousRef
    state.rotation = reason
    state.changed = true
    state.destroyed = false
  }

  /** Deletes the session now and leaves an empty one; the reply clears the cookie. */
  async destroy(request: FastifyRequest, state: SessionState): Promise<void> {
    if (state.stored && state.handle !== null) {
      const handle = state.handle
      const userId = state.userId
      await this.#delete(request, handle)
      if (destroyedChannel.hasSubscribers) {
        destroyedChannel.publish({ request, reason: 'destroy', ref: shortRef(handle), ...userOf(userId) })
      }
    }
    this.#reset(state)
    state.destroyed = true
  }

  /**
   * Saves what the request changed, at most one store write: the new or changed session (and its
   * cookie), or the activity when `touchInterval` has passed, or the clearing of a destroyed
   * session's cookie. Returns a replacement payload when the reply must become a refusal (the
   * store failed to save a session the reply depends on); never rejects.
   */
  async commit(request: FastifyRequest, reply: FastifyReply, session: Session): Promise<string | undefined> {
    const state = session[kState]
    if (state.changed && state.id !== null && state.handle !== null) {
      state.changed = false
      return this.#save(request, reply, state)
    }
    if (state.touchDue && state.stored && state.handle !== null) {
      state.touchDue = false
      const now = this.now()
      const remaining = Math.min(now + this.settings.idleTimeout, state.absoluteExpiresAt) - now
      if (remaining <= 0) return undefined
      try {
        if (await this.store.touch(state.handle, now, remaining + EXPIRY_GRACE)) state.lastSeenAt = now
      } catch (error) {
        // Activity only: the reply does not depend on it, and the next request tries again.
        request.log.warn({ err: error }, 'session store failed to record activity')
      }
      return undefined
    }
    if (state.destroyed && state.cookiePresent) {
      state.destroyed = false
      reply.header('set-cookie', this.cookie.clear())
    }
    return undefined
  }

  async #save(request: FastifyRequest, reply: FastifyReply, state: SessionState): Promise<string | undefined> {
    const handle = state.handle as string
    const now = this.now()
    const remaining = Math.min(now + this.settings.idleTimeout, state.absoluteExpiresAt) - now
    if (remaining <= 0) return undefined // reached its absolute expiry during the request: nothing left to save
    const ttl = remaining + EXPIRY_GRACE
    const data = Object.fromEntries(state.data)
    let json: string
    try {
      json = JSON.stringify(data)
    } catch (error) {
      request.log.error({ err: error }, 'session data is not JSON-serialisable; session not saved')
      return replaceWithProblem(reply, INTERNAL_ERROR, 'The server could not complete the request.')
    }
    if (Buffer.byteLength(json) > this.settings.maxDataBytes) {
      request.log.error(
        { bytes: Buffer.byteLength(json), maxDataBytes: this.settings.maxDataBytes },
        'session data larger than maxDataBytes; session not saved',
      )
      return replaceWithProblem(reply, INTERNAL_ERROR, 'The server could not complete the request.')
    }
    const isNew = !state.stored
    if (isNew && this.settings.bindUserAgent) state.userAgentHash = userAgentHash(request.headers['user-agent'])
    const record: StoredSession = {
      userId: state.userId,
      data,
      createdAt: state.createdAt,
      lastSeenAt: now,
      absoluteExpiresAt: state.absoluteExpiresAt,
      userAgentHash: this.settings.bindUserAgent ? state.userAgentHash : null,
      rotatedFrom: state.rotatedFrom,
    }
    try {
      if (isNew) {
        await this.store.create(handle, record, ttl)
      } else if (!(await this.store.update(handle, record, ttl))) {
        // Revoked (or expired) while the request ran: never write it back.
        request.log.debug('session ended during the request; changes not saved')
        state.stored = false
        return undefined
      }
    } catch (error) {
      request.log.error({ err: error }, 'session store failed to save a session')
      return replaceWithProblem(reply, UNAVAILABLE, UNAVAILABLE_DETAIL, RETRY_SOON)
    }
    state.stored = true
    state.lastSeenAt = now
    if (!isNew) return undefined
    reply.header('set-cookie', this.cookie.serialize(state.id as string, now, state.absoluteExpiresAt))
    // A response that sets a session cookie must not be stored by a shared cache and handed to others.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    const ref = shortRef(handle)
    if (state.previousRef !== null && state.rotation !== null) {
      if (rotatedChannel.hasSubscribers) {
        rotatedChannel.publish({
          request,
          reason: state.rotation,
          ref,
          previousRef: state.previousRef,
          ...userOf(state.userId),
        })
      }
    } else if (createdChannel.hasSubscribers) {
      createdChannel.publish({
        request,
        reason: state.rotation === 'login' ? 'login' : 'new',
        ref,
        ...userOf(state.userId),
      })
    }
    state.rotation = null
    state.previousRef = null
    return undefined
  }

  /** Ends the session under `handle` (from `list()` or `session.handle`); true if there was one. */
  async revoke(handle: string): Promise<boolean> {
    if (typeof handle !== 'string' || !HANDLE_PATTERN.test(handle)) {
      throw new InvalidArgumentError('revoke: handle must be a session handle (64 hex characters, from list())')
    }
    const deleted = await this.store.delete(handle)
    if (deleted === null) return false
    if (revokedChannel.hasSubscribers) {
      revokedChannel.publish({ reason: 'revoke', count: 1, ref: shortRef(handle), ...userOf(deleted.userId) })
    }
    return true
  }

  /** Ends every session of `userId` (but the one whose handle is `except`); returns how many. */
  async revokeAll(userId: string, options: { except?: string | null } = {}): Promise<number> {
    checkUserId('revokeAll', userId)
    const except = options.except ?? undefined
    if (except !== undefined && (typeof except !== 'string' || !HANDLE_PATTERN.test(except))) {
      throw new InvalidArgumentError('revokeAll: except must be a session handle (64 hex characters)')
    }
    const count = await this.store.deleteAll(userId, except)
    if (revokedChannel.hasSubscribers) revokedChannel.publish({ reason: 'revoke-all', count, userId })
    return count
  }

  /** The live sessions of `userId`, most recently active first. */
  async list(userId: string): Promise<SessionInfo[]> {
    checkUserId('list', userId)
    const now = this.now()
    const idle = this.settings.idleTimeout
    const found: SessionInfo[] = []
    for (const [handle, listed] of await this.store.list(userId)) {
      const session = checkStoredSession(listed)
      if (session === null) continue
      const idleExpiresAt = Math.min(session.lastSeenAt + idle, session.absoluteExpiresAt)
      if (now >= idleExpiresAt || session.userId !== userId) continue
      found.push(
        Object.freeze({
          handle,
          ref: shortRef(handle),
          userId,
          createdAt: session.createdAt,
          lastSeenAt: session.lastSeenAt,
          idleExpiresAt,
          absoluteExpiresAt: session.absoluteExpiresAt,
          userAgentHash: session.userAgentHash,
          rotatedFrom: session.rotatedFrom,
        }),
      )
    }
    return found.sort((a, b) => b.lastSeenAt - a.lastSeenAt)
  }

  /** Deletes for a request: a store failure is the 503 refusal. */
  async #delete(request: FastifyRequest, handle: string): Promise<{ userId: string | null } | null> {
    try {
      return await this.store.delete(handle)
    } catch (error) {
      request.log.error({ err: error }, 'session store failed to delete a session')
      throw new RefusalError(UNAVAILABLE, { detail: UNAVAILABLE_DETAIL, headers: RETRY_SOON })
    }
  }

  /** Deletes a session found dead on load; a failure is only logged (it is refused on every load anyway). */
  async #discard(request: FastifyRequest, handle: string): Promise<void> {
    try {
      await this.store.delete(handle)
    } catch (error) {
      request.log.warn({ err: error }, 'session store failed to delete an ended session')
    }
  }

  #reset(state: SessionState): void {
    const now = this.now()
    state.id = null
    state.handle = null
    state.stored = false
    state.userId = null
    state.data = new Map()
    state.createdAt = now
    state.lastSeenAt = now
    state.absoluteExpiresAt = now + this.settings.absoluteTimeout
    state.userAgentHash = null
    state.rotatedFrom = null
    state.changed = false
    state.touchDue = false
    state.rotation = null
    state.previousRef = null
  }
}

function userOf(userId: string | null): { userId?: string } {
  return userId === null ? {} : { userId }
}

function checkUserId(method: string, userId: unknown): void {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
    throw new InvalidArgumentError(`${method}: userId must be a string of 1 to ${MAX_USER_ID_LENGTH} characters`)
  }
}

/**
 * Turns the reply, in `onSend`, into the refusal `kind`: status, problem+json type, headers,
 * the `rampart:core:refusal` event. Returns the body to send instead of the handler's.
 */
function replaceWithProblem(
  reply: FastifyReply,
  kind: RefusalKind,
  detail: string,
  headers?: Readonly<Record<string, string>>,
): string {
  const request = reply.request
  if (refusalChannel.hasSubscribers) {
    refusalChannel.publish({ request, status: kind.status, code: kind.code, source: kind.source })
  }
  reply.removeHeader('content-length')
  if (headers !== undefined) reply.headers(headers)
  reply.code(kind.status).type('application/problem+json; charset=utf-8')
  return JSON.stringify(problemBody(kind, { detail }, request.id))
}

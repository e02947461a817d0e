import type { FastifyRequest } from 'fastify'
import { InvalidArgumentError } from './errors.js'
import type { SessionManager } from './session-manager.js'

/** Where the plugin keeps a session's state; not exported from the package. */
export const kState: unique symbol = Symbol('rampart.session.state')

/** Longest user id accepted (it is part of a Redis key). */
export const MAX_USER_ID_LENGTH = 256

/** A session's state during one request. Internal: the application uses `Session`'s methods. */
export interface SessionState {
  /** The opaque id (the cookie value), or `null` while a new session has nothing to save. */
  id: string | null
  /** SHA-256 of `id`, the store key; `null` with `id`. */
  handle: string | null
  /** The store holds the session under `handle` (loaded, or saved by this request). */
  stored: boolean
  /** The request sent a session cookie (valid or not): `destroy()` then clears it. */
  cookiePresent: boolean
  userId: string | null
  data: Map<string, unknown>
  createdAt: number
  lastSeenAt: number
  absoluteExpiresAt: number
  userAgentHash: string | null
  rotatedFrom: string | null
  /** Something must be written at the end of the request. */
  changed: boolean
  /** `lastSeenAt` is older than `touchInterval`: write the activity, even if nothing changed. */
  touchDue: boolean
  /** `destroy()` was called: clear the cookie, unless a new session is saved after it. */
  destroyed: boolean
  /** Why the pending new id was issued (`login()`, `regenerate()`), for the event sent once it is saved. */
  rotation: 'login' | 'regenerate' | null
  /** `ref` of the stored session the pending new id replaced. */
  previousRef: string | null
}

/**
 * The session of one request: `await request.sessionLoad()` (or `request.session` on a route that
 * loads it in `onRequest`). Changes made with `set()`/`delete()` are saved once, when the reply is
 * sent; `regenerate()`, `login()` and `destroy()` act on the store at once.
 *
 * Values must survive `JSON.stringify` (they are stored as JSON). Mutating an object returned by
 * `get()` is not seen: `set()` it again, or call `markChanged()`.
 */
export class Session {
  readonly [kState]: SessionState
  readonly #manager: SessionManager
  readonly #request: FastifyRequest

  /** @internal Built by the plugin. */
  constructor(manager: SessionManager, request: FastifyRequest, state: SessionState) {
    this.#manager = manager
    this.#request = request
    this[kState] = state
  }

  /**
   * The opaque session id (the cookie's value), or `null` for a new session with nothing saved yet.
   * A secret: never log it, never send it anywhere but the cookie. It changes on `regenerate()` and `login()`.
   */
  get id(): string | null {
    return this[kState].id
  }

  /** The public handle (SHA-256 of the id, hex): what `list()` returns and `revoke()` takes. */
  get handle(): string | null {
    return this[kState].handle
  }

  /** The user the session is logged in as (`login()`), or `null`. */
  get userId(): string | null {
    return this[kState].userId
  }

  /** True until the session is in the store (a visitor without a session, or a new id not saved yet). */
  get isNew(): boolean {
    return !this[kState].stored
  }

  /** Epoch ms. */
  get createdAt(): number {
    return this[kState].createdAt
  }

  /** Epoch ms of the last activity saved. */
  get lastSeenAt(): number {
    return this[kState].lastSeenAt
  }

  /** Epoch ms after which the session ends whatever the activity. */
  get absoluteExpiresAt(): number {
    return this[kState].absoluteExpiresAt
  }

  /**
   * The id, giving a new session one now if it has none: the session is then saved, and its cookie
   * set, with the reply (for binding something to a visitor who had no session, e.g. a CSRF token).
   */
  ensureId(): string {
    return this.#manager.ensureId(this[kState])
  }

  get<T = unknown>(key: string): T | undefined {
    return this[kState].data.get(key) as T | undefined
  }

  has(key: string): boolean {
    return this[kState].data.has(key)
  }

  /** The keys set. */
  keys(): string[] {
    return [...this[kState].data.keys()]
  }

  /** Stores `value` (JSON) under `key`; `undefined` deletes it. A visitor without a session gets one. */
  set(key: string, value: unknown): this {
    if (typeof key !== 'string') throw new InvalidArgumentError('session.set: key must be a string')
    const state = this[kState]
    if (value === undefined) state.data.delete(key)
    else state.data.set(key, value)
    this.#manager.ensureId(state)
    state.changed = true
    return this
  }

  /** Deletes `key`; true if it was set. */
  delete(key: string): boolean {
    const state = this[kState]
    if (!state.data.delete(key)) return false
    state.changed = true
    return true
  }

  /** Saves the data at the end of the request even though no `set()` was called (a value mutated in place). */
  markChanged(): void {
    const state = this[kState]
    if (state.id !== null) state.changed = true
  }

  /**
   * Gives the session a new id now, keeping its user and data, and deletes the old one from the store
   * at once: call it on every privilege change. Rejects with `RAMPART_SESSION_ENDED` (401) when the
   * session was revoked or expired while this request ran, and with `RAMPART_SESSION_UNAVAILABLE`
   * (503) when the store fails.
   */
  regenerate(): Promise<void> {
    return this.#manager.rotate(this.#request, this[kState], 'regenerate')
  }

  /**
   * Logs the session in as `userId`: a new id (the old one, possibly chosen by an attacker, is
   * deleted at once: no session fixation), a new absolute lifetime, and `data` as the whole data
   * (what an anonymous visitor stored is not carried over unless you pass it).
   */
  async login(userId: string, data: Readonly<Record<string, unknown>> = {}): Promise<void> {
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
      throw new InvalidArgumentError(`session.login: userId must be a string of 1 to ${MAX_USER_ID_LENGTH} characters`)
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new InvalidArgumentError('session.login: data must be a plain object')
    }
    await this.#manager.rotate(this.#request, this[kState], 'login')
    const state = this[kState]
    const now = this.#manager.now()
    state.userId = userId
    state.data = new Map(Object.entries(data))
    state.createdAt = now
    state.lastSeenAt = now
    state.absoluteExpiresAt = now + this.#manager.settings.absoluteTimeout
  }

  /**
   * Ends the session (logout): deleted from the store at once, the cookie cleared in the reply.
   * The object is then an empty anonymous session; setting data again starts a new one.
   */
  destroy(): Promise<void> {
    return this.#manager.destroy(this.#request, this[kState])
  }
}

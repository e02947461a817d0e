import { addHealthCheck, perRouteSettings, RefusalError, sendProblem } from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { InvalidRouteOptionError, NotRegisteredError, PACKAGE } from './errors.js'
import { MemorySessionStore } from './memory-store.js'
import { type ResolvedSessionOptions, resolveOptions, type SessionOptions } from './options.js'
import { RedisSessionStore } from './redis-store.js'
import type { Session } from './session.js'
import { type SessionInfo, SessionManager } from './session-manager.js'
import type { SessionStore } from './store.js'

/** `fastify.rampartSession`: manage sessions outside a request. */
export interface RampartSessionApi {
  /** Ends the session under `handle` (from `list()` or `session.handle`); resolves true if there was one. */
  revoke(handle: string): Promise<boolean>
  /** Ends every session of `userId`, on every instance sharing the store (e.g. after a password change), but `except` (a handle). */
  revokeAll(userId: string, options?: { except?: string | null }): Promise<number>
  /** The live sessions of `userId`, most recently active first (handles, never ids). */
  list(userId: string): Promise<SessionInfo[]>
  /** See the exported `getSessionId`. */
  getSessionId(request: FastifyRequest): string | undefined
  /** See the exported `ensureSessionId`. */
  ensureSessionId(request: FastifyRequest): Promise<string>
  /** The store in use. */
  readonly store: SessionStore
  /** The session cookie's name. */
  readonly cookieName: string
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The request's session once loaded (`await request.sessionLoad()`, or in `onRequest` on routes
     * with `config.rampart.session: true` / `autoLoad`); `null` before.
     */
    session: Session | null
    /** Loads the session (one store read when the request has the cookie; none otherwise), once per request. */
    sessionLoad(): Promise<Session>
  }
  interface FastifyInstance {
    rampartSession: RampartSessionApi
  }
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** `true`: load the session in `onRequest` on this route; `false`: not even with `autoLoad`. */
    session?: boolean
  }
}

const kPending = Symbol('rampart.session.pending')
const kRoute = Symbol('rampart.session.route')

type WithPending = FastifyRequest & { [kPending]: Promise<Session> | null }

/**
 * The id of the session loaded for `request` (the cookie's value), or `undefined` when no session
 * is loaded yet or the visitor has none. Synchronous, for @rampart/csrf to bind its tokens to the
 * session (its `sessionId` option takes this function as is). The id is a secret and changes on
 * `login()`/`regenerate()`: bind to it with an HMAC, never log or echo it, and issue new tokens
 * after a login.
 */
export function getSessionId(request: FastifyRequest): string | undefined {
  return (request as { session?: Session | null }).session?.id ?? undefined
}

/**
 * Loads the request's session and gives it an id if it has none (the session is then saved and its
 * cookie set with the reply); resolves the id. For binding to a session an anonymous visitor does
 * not have yet (a login form's CSRF token). Rejects with the 503 refusal when the store fails.
 */
export async function ensureSessionId(request: FastifyRequest): Promise<string> {
  if (typeof (request as { sessionLoad?: unknown }).sessionLoad !== 'function') throw new NotRegisteredError()
  return (await request.sessionLoad()).ensureId()
}

function createStore(settings: ResolvedSessionOptions): SessionStore {
  const store = settings.store
  if (store.kind === 'custom') return store.store
  if (store.kind === 'redis') return new RedisSessionStore({ redis: store.redis, prefix: store.prefix })
  return new MemorySessionStore({ maxSessions: store.maxSessions, now: settings.now })
}

async function rampartSession(fastify: FastifyInstance, options: SessionOptions): Promise<void> {
  const settings = resolveOptions(options)
  const store = createStore(settings)
  const manager = new SessionManager(settings, store)

  if (store instanceof RedisSessionStore) {
    const client = store.client
    addHealthCheck(fastify, 'session:redis', async () => {
      await client.ping()
      return { status: 'healthy' }
    })
  }
  fastify.addHook('onClose', async () => {
    await store.close?.()
  })

  fastify.decorateRequest('session', null)
  fastify.decorateRequest(kPending, null)
  fastify.decorateRequest('sessionLoad', function sessionLoad(this: FastifyRequest): Promise<Session> {
    const request = this as WithPending
    if (request.session !== null) return Promise.resolve(request.session)
    const pending = request[kPending]
    if (pending !== null) return pending
    const loading = manager.load(request).then(
      (session) => {
        request.session = session
        request[kPending] = null
        return session
      },
      (error: unknown) => {
        request[kPending] = null
        throw error
      },
    )
    request[kPending] = loading
    return loading
  })

  fastify.decorate('rampartSession', {
    revoke: (handle: string) => manager.revoke(handle),
    revokeAll: (userId: string, revokeOptions?: { except?: string | null }) => manager.revokeAll(userId, revokeOptions),
    list: (userId: string) => manager.list(userId),
    getSessionId,
    ensureSessionId,
    store,
    cookieName: settings.cookieName,
  } satisfies RampartSessionApi)

  // Which routes load the session in onRequest, resolved once per route.
  const loadsEarly = perRouteSettings(
    fastify,
    kRoute,
    (route, rampart) => {
      const value = rampart?.session
      if (value === undefined) return settings.autoLoad
      if (typeof value !== 'boolean') {
        throw new InvalidRouteOptionError(`route ${route.url ?? ''}: config.rampart.session must be true or false`)
      }
      return value
    },
    false,
  )

  // onRequest: before any body is read, so hooks and handlers after it have `request.session`.
  // Without the cookie there is nothing to read: an empty session, no store round trip.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (!loadsEarly(request)) {
      done()
      return
    }
    if (!manager.hasCookie(request)) {
      request.session = manager.empty(request, false)
      done()
      return
    }
    request.sessionLoad().then(
      () => done(),
      (error: unknown) => {
        // A refusal is the reply (no done(): the request ends here); anything else is Fastify's error.
        if (error instanceof RefusalError) sendProblem(reply, error.kind, error.details)
        else done(error as Error)
      },
    )
  })

  // onSend: one store write at most, only when something changed or the activity is due.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const session = request.session
    if (session === null) {
      done(null, payload)
      return
    }
    manager.commit(request, reply, session).then(
      (replacement) => done(null, replacement ?? payload),
      (error: Error) => done(error),
    )
  })
}

export { rampartSession }
export default fp(rampartSession, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

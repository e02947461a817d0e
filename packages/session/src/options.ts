import { OptionValidator } from '@rampart/core'
import {
  type RedisClient,
  type RedisConnectionOptions,
  type ResolvedRedisConnectionOptions,
  resolveRedisConnectionOptions,
} from '@rampart/redis'
import { COOKIE_NAME_PATTERN } from './cookie.js'
import { PACKAGE } from './errors.js'
import { MEMORY_STORE_DEFAULTS } from './memory-store.js'
import { PREFIX_PATTERN, REDIS_STORE_DEFAULTS } from './redis-store.js'
import type { SessionStore } from './store.js'

/** Options of @rampart/session. Durations are in seconds. */
export interface SessionOptions {
  /**
   * Production: the default of `secure`. Not derived from `NODE_ENV` (Secure cookies over plain
   * http on a development machine are dropped by some browsers). Default false.
   */
  production?: boolean
  /** The cookie's `Secure` attribute (sent over https only). Default: `production`. */
  secure?: boolean
  /**
   * Name of the session cookie. Default `'__Host-sid'` when `secure` (the `__Host-` prefix makes
   * browsers refuse the cookie unless it is Secure, host-only and `Path=/`, so no sibling
   * subdomain can plant one), `'sid'` otherwise.
   */
  cookieName?: string
  /** `SameSite`: `'lax'` (sent on top-level navigation from other sites) or `'strict'`. Default `'lax'`. */
  sameSite?: 'lax' | 'strict'
  /**
   * A persistent cookie (`Max-Age`/`Expires` at the absolute expiry), or `false` for a browser-session
   * cookie that the browser drops when it closes. The server enforces both timeouts either way. Default true.
   */
  persistent?: boolean
  /** A session unused for this long ends. Default 1800 (30 minutes). */
  idleTimeout?: number
  /** A session ends this long after it was created (or logged in), whatever its activity. Default 43200 (12 hours). */
  absoluteTimeout?: number
  /**
   * Activity is saved at most once per this interval, so reading a session costs no write; the idle
   * timeout is thus exact to within this much. Default 60, or a quarter of `idleTimeout` when shorter.
   */
  touchInterval?: number
  /**
   * Binds each session to a hash of the `User-Agent` it was created with; a request with the
   * session's cookie and another `User-Agent` ends the session (a stolen cookie). Default false.
   */
  bindUserAgent?: boolean
  /**
   * Loads the session in `onRequest` on every route whose request carries the cookie (a route opts
   * out with `config.rampart.session: false`). Default false: a route loads it with
   * `await request.sessionLoad()`, or in `onRequest` with `config.rampart.session: true`.
   */
  autoLoad?: boolean
  /** The largest session data, in bytes of JSON. Default 65536. */
  maxDataBytes?: number
  /** Your own store (see `SessionStore`). Default: a `MemorySessionStore`, or Redis when `redis` is given. */
  store?: SessionStore
  /** Redis, shared by every instance: a URL, an ioredis client, or `{ client | url, commandTimeout }`. Default: none (memory). */
  redis?: string | RedisClient | RedisConnectionOptions
  /** Prefix of the Redis keys (`<prefix>:s:<handle>`, `<prefix>:u:<userId>`). Default `'rampart:session'`. */
  prefix?: string
  /** Sessions the memory store holds at most (least recently active evicted). Default 10,000. */
  maxSessions?: number
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

/** How sessions are stored, after validation. */
export type ResolvedSessionStore =
  | { readonly kind: 'memory'; readonly maxSessions: number }
  | { readonly kind: 'redis'; readonly redis: ResolvedRedisConnectionOptions; readonly prefix: string }
  | { readonly kind: 'custom'; readonly store: SessionStore }

/** The options after defaults and validation, frozen at register. Durations in milliseconds. */
export interface ResolvedSessionOptions {
  readonly production: boolean
  readonly secure: boolean
  readonly cookieName: string
  readonly sameSite: 'lax' | 'strict'
  readonly persistent: boolean
  readonly idleTimeout: number
  readonly absoluteTimeout: number
  readonly touchInterval: number
  readonly bindUserAgent: boolean
  readonly autoLoad: boolean
  readonly maxDataBytes: number
  readonly store: ResolvedSessionStore
  readonly now: () => number
}

export const DEFAULTS = Object.freeze({
  production: false,
  cookieName: 'sid',
  secureCookieName: '__Host-sid',
  sameSite: 'lax' as 'lax' | 'strict',
  persistent: true,
  idleTimeout: 1800,
  absoluteTimeout: 43_200,
  touchInterval: 60,
  bindUserAgent: false,
  autoLoad: false,
  maxDataBytes: 65_536,
  prefix: REDIS_STORE_DEFAULTS.prefix,
  maxSessions: MEMORY_STORE_DEFAULTS.maxSessions,
  now: Date.now as () => number,
})

const KNOWN = [
  'production',
  'secure',
  'cookieName',
  'sameSite',
  'persistent',
  'idleTimeout',
  'absoluteTimeout',
  'touchInterval',
  'bindUserAgent',
  'autoLoad',
  'maxDataBytes',
  'store',
  'redis',
  'prefix',
  'maxSessions',
  'now',
]

/** 400 days: the longest cookie lifetime browsers keep (RFC 6265bis). */
const MAX_LIFETIME = 400 * 86_400
const STORE_METHODS = ['get', 'create', 'update', 'touch', 'delete', 'list', 'deleteAll'] as const

const validate = new OptionValidator(PACKAGE)

function resolveStore(given: Record<string, unknown>): ResolvedSessionStore {
  if (given.store !== undefined) {
    if (given.redis !== undefined) validate.fail('store', 'and `redis` exclude each other: give one')
    const store = validate.object('store', given.store)
    for (const method of STORE_METHODS) validate.func(`store.${method}`, store[method])
    if (store.close !== undefined) validate.func('store.close', store.close)
  }
  if (given.prefix !== undefined && given.redis === undefined) validate.fail('prefix', 'is only used with `redis`')
  if (given.maxSessions !== undefined && (given.redis !== undefined || given.store !== undefined)) {
    validate.fail('maxSessions', 'bounds the memory store only; it is not used with `redis` or `store`')
  }
  if (given.store !== undefined) return Object.freeze({ kind: 'custom', store: given.store as SessionStore })
  if (given.redis !== undefined) {
    return Object.freeze({
      kind: 'redis',
      redis: resolveRedisConnectionOptions(PACKAGE, 'redis', given.redis),
      prefix: validate.string('prefix', given.prefix ?? DEFAULTS.prefix, { pattern: PREFIX_PATTERN }),
    })
  }
  return Object.freeze({
    kind: 'memory',
    maxSessions: validate.integer('maxSessions', given.maxSessions ?? DEFAULTS.maxSessions, {
      min: 1,
      max: 10_000_000,
    }),
  })
}

function resolveCookieName(given: Record<string, unknown>, secure: boolean): string {
  const name = validate.string(
    'cookieName',
    given.cookieName ?? (secure ? DEFAULTS.secureCookieName : DEFAULTS.cookieName),
    { pattern: COOKIE_NAME_PATTERN },
  )
  const lower = name.toLowerCase()
  if ((lower.startsWith('__host-') || lower.startsWith('__secure-')) && !secure) {
    validate.fail(
      'cookieName',
      'has a __Host- or __Secure- prefix, which browsers accept only with `secure: true`',
      name,
    )
  }
  return name
}

/** Validates the user's options and folds in the defaults; throws RAMPART_SESSION_INVALID_OPTION. */
export function resolveOptions(options: SessionOptions = {}): ResolvedSessionOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, KNOWN)
  const production = validate.boolean('production', given.production ?? DEFAULTS.production)
  const secure = validate.boolean('secure', given.secure ?? production)
  const idleTimeout = validate.integer('idleTimeout', given.idleTimeout ?? DEFAULTS.idleTimeout, {
    min: 1,
    max: MAX_LIFETIME,
  })
  const absoluteTimeout = validate.integer('absoluteTimeout', given.absoluteTimeout ?? DEFAULTS.absoluteTimeout, {
    min: 1,
    max: MAX_LIFETIME,
  })
  if (absoluteTimeout < idleTimeout) {
    validate.fail('absoluteTimeout', `must be >= idleTimeout (${idleTimeout})`, absoluteTimeout)
  }
  const touchInterval = validate.integer(
    'touchInterval',
    given.touchInterval ?? Math.min(DEFAULTS.touchInterval, Math.floor(idleTimeout / 4)),
    { min: 0, max: idleTimeout - 1 },
  )
  return Object.freeze({
    production,
    secure,
    cookieName: resolveCookieName(given, secure),
    sameSite: validate.oneOf('sameSite', given.sameSite ?? DEFAULTS.sameSite, ['lax', 'strict'] as const),
    persistent: validate.boolean('persistent', given.persistent ?? DEFAULTS.persistent),
    idleTimeout: idleTimeout * 1000,
    absoluteTimeout: absoluteTimeout * 1000,
    touchInterval: touchInterval * 1000,
    bindUserAgent: validate.boolean('bindUserAgent', given.bindUserAgent ?? DEFAULTS.bindUserAgent),
    autoLoad: validate.boolean('autoLoad', given.autoLoad ?? DEFAULTS.autoLoad),
    maxDataBytes: validate.integer('maxDataBytes', given.maxDataBytes ?? DEFAULTS.maxDataBytes, {
      min: 64,
      max: 16_777_216,
    }),
    store: resolveStore(given),
    now: validate.func<() => number>('now', given.now ?? DEFAULTS.now),
  })
}

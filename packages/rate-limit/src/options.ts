import { OptionValidator } from '@rampart/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ALGORITHM_NAMES, type AlgorithmName } from './algorithms/algorithm.js'
import { PACKAGE } from './errors.js'
import { type MultiplierOptions, type Multipliers, resolveMultipliers } from './multipliers.js'
import {
  type BanRule,
  compilePolicies,
  compilePolicy,
  type Policy,
  type PolicyDefaults,
  type PolicyOptions,
} from './policy.js'
import { type RedisOptionValue, redisStore } from './redis-option.js'
import type { RateLimitStore } from './store.js'
import { MEMORY_STORE_DEFAULTS, MemoryStore } from './stores/memory-store.js'

/** Returns the client a request is counted for; `undefined`/`null` leaves the request to other limiters. */
export type KeyFunction = (request: FastifyRequest) => string | number | undefined | null

/** The hook the limiter runs in. */
export type LimiterHook = 'onRequest' | 'preHandler'

/** Options of @rampart/rate-limit. */
export interface RateLimitOptions {
  /** Requests per minute: the `minute` policy admits `perMinute + burst` per 60 s. Default 60. */
  perMinute?: number
  /** Requests per hour: the `hour` policy. Default 1000. */
  perHour?: number
  /** Extra requests the `minute` policy admits on top of `perMinute`. Default 10. */
  burst?: number
  /**
   * Named policies replacing the `minute`/`hour` pair (then `perMinute`, `perHour` and `burst` must
   * not be given): `{ second: { limit: 20, window: 1 }, day: { limit: 10000, window: 86400 } }`.
   */
  policies?: Readonly<Record<string, PolicyOptions>>
  /** Algorithm of policies that name none. Default `'sliding-window'`. */
  algorithm?: AlgorithmName
  /** Put every policy of this instance in shadow mode (counted and reported, never refused). Default false. */
  shadow?: boolean
  /** Fraction of a policy's capacity at which `rampart:rate-limit:near-limit` fires; `false` = never. Default 0.8. */
  nearLimit?: number | false
  /** Path prefixes never limited (normalised, segment-aware). Default `/health`, `/metrics`, `/docs`, `/openapi.json`. */
  excludedPaths?: readonly string[]
  /** IPv6 clients are counted per prefix of this length (48..128). Default 64. */
  ipv6PrefixLength?: number
  /**
   * The client a request is counted for. Default: the client IP (IPv6 by prefix), plus
   * `request.identity.id` when an identity is known at the limiter's hook. Hashed to a fixed length.
   */
  key?: KeyFunction
  /** Prefix of every store key (letters, digits, `:_.-`, at most 64). Default `'rl:'`. */
  prefix?: string
  /** Where counts live. Default: a `MemoryStore` with `maxClients` and `now` (or a `RedisStore` with `redis`). */
  store?: RateLimitStore
  /**
   * Count in Redis: `true` (`fastify.redis` of @fastify/redis), a @fastify/redis namespace name, a
   * `redis://` URL, an ioredis `Redis`/`Cluster`, or `{ ...RedisStoreOptions, namespace? }`. The
   * plugin creates a `RedisStore` (closed with Fastify; a client it did not create stays open).
   */
  redis?: RedisOptionValue
  /**
   * Refuse a client that keeps exceeding: after `after` refusals within `within` seconds (default
   * 60), every request of the client is refused for `duration` seconds without touching the
   * counters (429 `RAMPART_RATE_LIMIT_BANNED`). Default `false`.
   */
  ban?: BanOptions | false
  /** Clients tracked per policy set by the default memory store. Default 100,000. */
  maxClients?: number
  /** Clock of the default memory store (ms since the epoch). Default `Date.now`. */
  now?: () => number
  /** `onRequest` (default: before the body is read, so login floods cost nothing) or `preHandler` (after authentication). */
  hook?: LimiterHook
  /** Name of this instance, which routes target with `limiter`; unique per Fastify instance. Default `'default'`. */
  name?: string
  /** Send `X-RateLimit-Limit`, `-Remaining` and `-Reset` for the strictest policy. Default true. */
  legacyHeaders?: boolean
  /** Send the IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-10). Default true. */
  draftHeaders?: boolean
  /**
   * Larger limits for authenticated identities, by tier: `true` for the seed's factors
   * (authenticated × 2; free 1, basic 2, pro 5, enterprise 10) or your own. Needs the identity at
   * the limiter's hook (`hook: 'preHandler'` after @rampart/auth, or auth at `onRequest` registered
   * first). Default `false`.
   */
  multipliers?: MultiplierOptions | boolean
}

/** The `ban` option. */
export interface BanOptions {
  /** Refusals (by enforced policies of this instance) that start a ban. */
  after: number
  /** Seconds in which those refusals must fall (counted from the first). Default 60. */
  within?: number
  /** Seconds a ban lasts. */
  duration: number
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedRateLimitOptions {
  readonly name: string
  /** The instance's global policies, compiled. */
  readonly policies: readonly Policy[]
  /** Defaults for policies declared in route configs. */
  readonly policyDefaults: PolicyDefaults
  readonly excludedPaths: readonly string[]
  readonly ipv6PrefixLength: number
  readonly key: KeyFunction | undefined
  readonly prefix: string
  /** The user set `prefix` (a shared store without one is reported). */
  readonly prefixGiven: boolean
  readonly store: RateLimitStore
  /** The store was created here (and is closed with Fastify). */
  readonly ownStore: boolean
  readonly hook: LimiterHook
  /** The compiled `ban` option (carried by the global policy set). */
  readonly ban: BanRule | undefined
  readonly legacyHeaders: boolean
  readonly draftHeaders: boolean
  /** The compiled `multipliers` option; `undefined`: every client gets the policies as written. */
  readonly multipliers: Multipliers | undefined
}

export const DEFAULTS = Object.freeze({
  perMinute: 60,
  perHour: 1000,
  burst: 10,
  algorithm: 'sliding-window' as AlgorithmName,
  shadow: false,
  nearLimit: 0.8 as number | false,
  excludedPaths: Object.freeze(['/health', '/metrics', '/docs', '/openapi.json']),
  ipv6PrefixLength: 64,
  prefix: 'rl:',
  maxClients: MEMORY_STORE_DEFAULTS.maxClients,
  hook: 'onRequest' as LimiterHook,
  name: 'default',
  legacyHeaders: true,
  draftHeaders: true,
})

const KNOWN_KEYS = [...Object.keys(DEFAULTS), 'policies', 'key', 'store', 'now', 'redis', 'ban', 'multipliers']
const BAN_KEYS = ['after', 'within', 'duration']
const MAX_BAN_SECONDS = 366 * 24 * 3600
const PREFIX_PATTERN = /^[A-Za-z0-9:_.-]{0,64}$/
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/

const validate = new OptionValidator(PACKAGE)

export { validate as optionValidator }

function resolveStore(
  given: Record<string, unknown>,
  fastify: FastifyInstance | undefined,
): { store: RateLimitStore; ownStore: boolean } {
  if (given.store === undefined && given.redis === undefined) {
    const maxClients = validate.integer('maxClients', given.maxClients ?? DEFAULTS.maxClients, {
      min: 1,
      max: 100_000_000,
    })
    const now = validate.func<() => number>('now', given.now ?? MEMORY_STORE_DEFAULTS.now)
    return { store: new MemoryStore({ maxClients, now }), ownStore: true }
  }
  if (given.store !== undefined && given.redis !== undefined) {
    validate.fail('redis', 'cannot be combined with `store`: give one of them')
  }
  const where = given.redis === undefined ? 'on your `store`' : 'in the `redis` options'
  for (const option of ['maxClients', 'now']) {
    if (given[option] !== undefined) validate.fail(option, `configures the built-in memory store; set it ${where}`)
  }
  if (given.redis !== undefined) {
    return { store: redisStore(validate, fastify, given.redis, { log: fastify?.log }), ownStore: true }
  }
  const store = validate.object('store', given.store) as unknown as RateLimitStore
  validate.func('store.consume', store.consume)
  validate.boolean('store.shared', store.shared)
  return { store, ownStore: false }
}

function resolveBan(value: unknown): BanRule | undefined {
  if (value === undefined || value === false) return undefined
  const given = validate.object('ban', value)
  validate.knownKeys('ban', given, BAN_KEYS)
  const seconds = { min: 1, max: MAX_BAN_SECONDS }
  return Object.freeze({
    after: validate.integer('ban.after', given.after, { min: 1, max: 1_000_000 }),
    withinMs: validate.integer('ban.within', given.within ?? 60, seconds) * 1000,
    durationMs: validate.integer('ban.duration', given.duration, seconds) * 1000,
  })
}

/**
 * Validates the user's options and folds in the defaults; throws RAMPART_RATE_LIMIT_INVALID_OPTION.
 * `fastify` is needed only to find `fastify.redis` (`redis: true` or a namespace).
 */
export function resolveOptions(options: RateLimitOptions = {}, fastify?: FastifyInstance): ResolvedRateLimitOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, KNOWN_KEYS)
  const nearLimitOption = given.nearLimit ?? DEFAULTS.nearLimit
  const nearLimit =
    nearLimitOption === false ? 0 : validate.number('nearLimit', nearLimitOption, { min: Number.MIN_VALUE, max: 1 })
  const policyDefaults: PolicyDefaults = Object.freeze({
    algorithm: validate.oneOf('algorithm', given.algorithm ?? DEFAULTS.algorithm, ALGORITHM_NAMES),
    shadow: validate.boolean('shadow', given.shadow ?? DEFAULTS.shadow),
    nearLimit,
  })

  let policies: Policy[]
  if (given.policies !== undefined) {
    for (const option of ['perMinute', 'perHour', 'burst']) {
      if (given[option] !== undefined) validate.fail(option, 'cannot be combined with `policies`; declare it there')
    }
    policies = compilePolicies(validate, 'policies', given.policies, policyDefaults)
  } else {
    const limits = { min: 0, max: 1_000_000_000 }
    const perMinute = validate.integer('perMinute', given.perMinute ?? DEFAULTS.perMinute, limits)
    const perHour = validate.integer('perHour', given.perHour ?? DEFAULTS.perHour, limits)
    const burst = validate.integer('burst', given.burst ?? DEFAULTS.burst, limits)
    policies = [
      compilePolicy(validate, 'perMinute', 'minute', { limit: perMinute, burst, window: 60 }, policyDefaults),
      compilePolicy(validate, 'perHour', 'hour', { limit: perHour, window: 3600 }, policyDefaults),
    ]
  }

  const excludedPaths = validate.stringList('excludedPaths', given.excludedPaths ?? DEFAULTS.excludedPaths)
  excludedPaths.forEach((path, index) => {
    if (!path.startsWith('/')) validate.fail(`excludedPaths[${index}]`, 'must start with "/"', path)
  })
  const prefix = validate.string('prefix', given.prefix ?? DEFAULTS.prefix, {
    nonEmpty: false,
    pattern: PREFIX_PATTERN,
  })
  return Object.freeze({
    name: validate.string('name', given.name ?? DEFAULTS.name, { pattern: NAME_PATTERN }),
    policies: Object.freeze(policies),
    policyDefaults,
    excludedPaths: Object.freeze(excludedPaths),
    ipv6PrefixLength: validate.integer('ipv6PrefixLength', given.ipv6PrefixLength ?? DEFAULTS.ipv6PrefixLength, {
      min: 48,
      max: 128,
    }),
    key: given.key === undefined ? undefined : validate.func<KeyFunction>('key', given.key),
    prefix,
    prefixGiven: given.prefix !== undefined && prefix.length > 0,
    hook: validate.oneOf('hook', given.hook ?? DEFAULTS.hook, ['onRequest', 'preHandler'] as const),
    ban: resolveBan(given.ban),
    legacyHeaders: validate.boolean('legacyHeaders', given.legacyHeaders ?? DEFAULTS.legacyHeaders),
    draftHeaders: validate.boolean('draftHeaders', given.draftHeaders ?? DEFAULTS.draftHeaders),
    multipliers: resolveMultipliers(validate, given.multipliers),
    // Last: every other option is valid before a store (and maybe a connection) is created.
    ...resolveStore(given, fastify),
  })
}

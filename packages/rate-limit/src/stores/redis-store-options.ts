import { OptionValidator } from '@rampart/core'
import type { Cluster, Redis } from 'ioredis'
import { PACKAGE } from '../errors.js'
import { FAILURE_MODES, type FailureMode } from '../policy.js'

/** An ioredis client: a standalone `Redis` or a `Cluster`. */
export type RedisClient = Redis | Cluster

/**
 * ioredis defines a `<command>Buffer` variant of every command at run time (the reply as Buffers,
 * not UTF-8 strings); its typings leave `evalshaBuffer` out.
 */
export interface BufferScripting {
  evalshaBuffer(sha: string, numkeys: number, args: readonly (string | Buffer)[]): Promise<unknown>
}

/** Where the store's time comes from. */
export type RedisClock = 'redis' | 'caller'

/** What the store logs (a pino/Fastify logger fits). */
export interface StoreLogger {
  warn(object: object, message: string): void
  info(object: object, message: string): void
}

/** Options of `RedisStore`. Give exactly one of `client` and `url`. */
export interface RedisStoreOptions {
  /**
   * An ioredis client (`Redis` or `Cluster`), e.g. `fastify.redis`. Yours: the store never closes
   * it. Commands are sent only while it is `ready` (never queued offline), each with the store's
   * deadline.
   */
  client?: RedisClient
  /**
   * Or a `redis://` / `rediss://` URL: the store creates its own client (auto-pipelining, no
   * offline queue, no retries or resends of its commands, reconnecting every 100 ms to 1 s) and
   * closes it on `close()`.
   */
  url?: string
  /** Deadline of one request's call in ms: past it, the request is decided as during an outage. Default 50. */
  timeout?: number
  /** What policies that set no `failureMode` do while Redis is unavailable. Default `'fail-open'`. */
  failureMode?: FailureMode
  /**
   * Application instances sharing this Redis: while it is unavailable, each enforces
   * `ceil(limit / instances)` on its own, so the fleet roughly keeps the limit. Default 1.
   */
  instances?: number
  /** Consecutive failed calls that open the circuit breaker. Default 5. */
  breakerFailures?: number
  /** Milliseconds the breaker stays open before one request probes Redis again. Default 1000. */
  breakerCooldown?: number
  /** Calls awaiting Redis at most; past it, requests are decided locally (a failure for the breaker). Default 1000. */
  maxPending?: number
  /** Clients tracked per policy set by the insurance limiter. Default 100,000. */
  maxClients?: number
  /**
   * `'redis'` (default): every decision uses the Redis server's `TIME`, so instances with skewed
   * clocks share one limit. `'caller'`: the store passes `now()` to the script (tests, replays).
   */
  clock?: RedisClock
  /** The local clock (ms since the epoch): the insurance limiter's, and the script's with `clock: 'caller'`. Default `Date.now`. */
  now?: () => number
  /** Milliseconds `ready()` waits for the connection at start-up (the app starts anyway). Default 2000. */
  readyTimeout?: number
  /** The store's name in events and logs. Default `'redis'`. */
  name?: string
  /** Where breaker transitions are logged (the plugin passes `fastify.log`). Default: not logged. */
  log?: StoreLogger
}

export const REDIS_STORE_DEFAULTS = Object.freeze({
  timeout: 50,
  failureMode: 'fail-open' as FailureMode,
  instances: 1,
  breakerFailures: 5,
  breakerCooldown: 1000,
  maxPending: 1000,
  maxClients: 100_000,
  clock: 'redis' as RedisClock,
  now: Date.now,
  readyTimeout: 2000,
  name: 'redis',
})

export interface ResolvedRedisStoreOptions {
  readonly client: RedisClient | undefined
  readonly url: string | undefined
  readonly timeout: number
  readonly failureMode: FailureMode
  readonly instances: number
  readonly breakerFailures: number
  readonly breakerCooldown: number
  readonly maxPending: number
  readonly maxClients: number
  readonly clock: RedisClock
  readonly now: () => number
  readonly readyTimeout: number
  readonly name: string
  readonly log: StoreLogger | undefined
}

export const REDIS_STORE_KEYS: readonly string[] = Object.freeze([
  'client',
  'url',
  'log',
  ...Object.keys(REDIS_STORE_DEFAULTS),
])
const URL_PATTERN = /^rediss?:\/\/\S+$/
const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/

/** True for an ioredis client (or anything shaped like one: another copy of ioredis). */
export function isRedisClient(value: unknown): value is RedisClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as unknown as BufferScripting).evalshaBuffer === 'function' &&
    typeof (value as RedisClient).status === 'string'
  )
}

/** Validates `RedisStoreOptions`; `option` prefixes the names in errors (`redis.` from the plugin). */
export function resolveRedisStoreOptions(
  validate: OptionValidator,
  options: RedisStoreOptions,
  option = '',
): ResolvedRedisStoreOptions {
  const at = (name: string) => `${option}${name}`
  const given = validate.object(option.replace(/\.$/, ''), options)
  validate.knownKeys(option.replace(/\.$/, ''), given, REDIS_STORE_KEYS)
  if ((given.client === undefined) === (given.url === undefined)) {
    validate.fail(at('client'), 'or `url`: give exactly one of them')
  }
  if (given.client !== undefined && !isRedisClient(given.client)) {
    validate.fail(at('client'), 'must be an ioredis client (Redis or Cluster)', given.client)
  }
  const url = given.url === undefined ? undefined : validate.string(at('url'), given.url, { pattern: URL_PATTERN })
  const clock = validate.oneOf(at('clock'), given.clock ?? REDIS_STORE_DEFAULTS.clock, ['redis', 'caller'] as const)
  let log: StoreLogger | undefined
  if (given.log !== undefined) {
    const logger = validate.object(at('log'), given.log)
    validate.func(at('log.warn'), logger.warn)
    validate.func(at('log.info'), logger.info)
    log = logger as unknown as StoreLogger
  }
  return Object.freeze({
    client: given.client as RedisClient | undefined,
    url,
    timeout: validate.integer(at('timeout'), given.timeout ?? REDIS_STORE_DEFAULTS.timeout, { min: 1, max: 60_000 }),
    failureMode: validate.oneOf(
      at('failureMode'),
      given.failureMode ?? REDIS_STORE_DEFAULTS.failureMode,
      FAILURE_MODES,
    ),
    instances: validate.integer(at('instances'), given.instances ?? REDIS_STORE_DEFAULTS.instances, {
      min: 1,
      max: 100_000,
    }),
    breakerFailures: validate.integer(
      at('breakerFailures'),
      given.breakerFailures ?? REDIS_STORE_DEFAULTS.breakerFailures,
      { min: 1, max: 1_000_000 },
    ),
    breakerCooldown: validate.integer(
      at('breakerCooldown'),
      given.breakerCooldown ?? REDIS_STORE_DEFAULTS.breakerCooldown,
      { min: 1, max: 3_600_000 },
    ),
    maxPending: validate.integer(at('maxPending'), given.maxPending ?? REDIS_STORE_DEFAULTS.maxPending, {
      min: 1,
      max: 1_000_000,
    }),
    maxClients: validate.integer(at('maxClients'), given.maxClients ?? REDIS_STORE_DEFAULTS.maxClients, {
      min: 1,
      max: 100_000_000,
    }),
    clock,
    now: validate.func<() => number>(at('now'), given.now ?? REDIS_STORE_DEFAULTS.now),
    readyTimeout: validate.integer(at('readyTimeout'), given.readyTimeout ?? REDIS_STORE_DEFAULTS.readyTimeout, {
      min: 0,
      max: 600_000,
    }),
    name: validate.string(at('name'), given.name ?? REDIS_STORE_DEFAULTS.name, { pattern: NAME_PATTERN }),
    log,
  })
}

export const redisStoreValidator: OptionValidator = new OptionValidator(PACKAGE)

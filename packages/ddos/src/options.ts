import { getHeapStatistics } from 'node:v8'
import { OptionValidator } from '@rampart/core'
import {
  type RedisClient,
  type RedisConnectionOptions,
  type ResolvedRedisConnectionOptions,
  resolveRedisConnectionOptions,
} from '@rampart/redis'
import { PACKAGE } from './errors.js'

/** The hook in which anonymous traffic is shed (the identity must be known there). */
export type SheddingHook = 'onRequest' | 'preParsing' | 'preHandler'

/**
 * Thresholds of one load signal. Above `shed` anonymous requests are shed, above `shedAll` every
 * request is; shedding stops only when every signal is back below its `recover` value (and
 * shedding everyone stops when every signal is below its `shed` value), so the state does not
 * flap around one threshold.
 */
export interface ThresholdOptions {
  /** Shed anonymous requests at or above this value. */
  shed?: number
  /** Shed every request (authenticated too) at or above this value; `false`: this signal never does. */
  shedAll?: number | false
  /** Stop shedding once the signal (and every other one) is below this value; lower than `shed`. */
  recover?: number
}

/** The `shedding` option: global load shedding from event-loop delay, utilisation and heap. */
export interface SheddingOptions {
  /** How often the signals are sampled, on an unref'd timer (never per request). Default 500 ms. */
  sampleIntervalMs?: number
  /**
   * Event-loop delay in ms: the longest delay seen in the last sample window (from
   * `perf_hooks.monitorEventLoopDelay` and the sampling timer's own lateness). Default
   * `{ shed: 500, shedAll: 2000, recover: 200 }`; `false` ignores the signal.
   */
  eventLoopDelay?: ThresholdOptions | false
  /**
   * Event-loop utilisation over the last sample window, 0..1 (`performance.eventLoopUtilization()`).
   * Default `{ shed: 0.98, shedAll: false, recover: 0.9 }`; `false` ignores the signal.
   */
  eventLoopUtilization?: ThresholdOptions | false
  /**
   * `process.memoryUsage().heapUsed` in bytes. Default: 90 % / 95 % / 85 % of V8's heap size
   * limit (`--max-old-space-size`) for `shed` / `shedAll` / `recover`; `false` ignores the signal.
   */
  heapUsed?: ThresholdOptions | false
  /** `Retry-After` of a shed request, in ms (sent rounded up to seconds). Default 5000. */
  retryAfterMs?: number
  /**
   * The hook where anonymous requests are shed: `request.identity` must be set by then. Default
   * `preParsing`: after every `onRequest` hook (so @rampart/auth in its default `onRequest` hook
   * has run, whatever the registration order) and before the body is read. Shedding everyone
   * (`shedAll`) needs no identity and always happens in `onRequest`.
   */
  hook?: SheddingHook
}

/** The `rate` option: a request-rate threshold per client that bans. */
export interface RateOptions {
  /** Requests per window above which the client is banned for `banMs`. */
  max: number
  /** The window, in ms (a sliding-window estimate over two fixed windows). Default 60,000. */
  windowMs?: number
}

/** The `surge` option: an event when many new clients arrive at once. */
export interface SurgeOptions {
  /** `rampart:ddos:surge` is published when more than this many new clients arrive in one interval. */
  threshold: number
  /** The interval, in ms. Default 300,000 (the seed's five minutes). */
  intervalMs?: number
}

/** Options of @rampart/ddos. */
export interface DdosOptions {
  /**
   * Requests one client may have in progress at once; the next is refused with 429
   * `RAMPART_DDOS_TOO_MANY_IN_FLIGHT`. `false`: no cap. Default 100 (the seed's `syn_flood_threshold`).
   */
  maxInFlight?: number | false
  /**
   * Ban a client that sends more than `max` requests in `windowMs`. `false`: never. Default
   * `{ max: 1000, windowMs: 60000 }` (the seed's `request_rate_threshold` per minute).
   */
  rate?: RateOptions | false
  /** How long a rate-threshold ban lasts, in ms; it really expires. Default 300,000 (five minutes). */
  banMs?: number
  /** The new-client surge event. `false`: off. Default `{ threshold: 500, intervalMs: 300000 }` (the seed's numbers). */
  surge?: SurgeOptions | false
  /** Global load shedding. `false`: off. Default on, with the defaults of `SheddingOptions`. */
  shedding?: SheddingOptions | false
  /**
   * Path prefixes this plugin never counts, bans, caps or sheds (normalised, segment-aware).
   * Default `['/health']`. A route can also opt out with `config: { rampart: { ddos: false } }`.
   */
  exemptPaths?: readonly string[]
  /** IPv6 clients are counted per prefix of this length (32..128). Default 64. */
  ipv6PrefixLength?: number
  /**
   * Bound of every per-client table (rate counters and surge memory, in-flight counters, bans,
   * the Redis check cache): the least recently seen client is dropped when one is full. Default 100,000.
   */
  maxClients?: number
  /**
   * Share bans through Redis: a `redis://` URL, an ioredis client (never closed here), or
   * `{ client | url, commandTimeout }`. Default: none (bans are per process).
   */
  redis?: string | RedisClient | RedisConnectionOptions
  /** Prefix of the Redis keys (`<prefix>ban:<hashed client>`). Default `'rampart:ddos:'`. */
  prefix?: string
  /**
   * With `redis`: a client is looked up in Redis at most once per this many ms (bans of other
   * instances are seen within this delay; between lookups the local answer is used). Default 1000.
   */
  redisCheckIntervalMs?: number
  /** The clock, in ms since the epoch. Default `Date.now`; inject one in tests. */
  now?: () => number
}

/** Resolved thresholds of one signal (`shedAll` Infinity when it never sheds everyone). */
export interface ResolvedThresholds {
  readonly shed: number
  readonly shedAll: number
  readonly recover: number
}

export interface ResolvedSheddingOptions {
  readonly sampleIntervalMs: number
  readonly eventLoopDelay: ResolvedThresholds | undefined
  readonly eventLoopUtilization: ResolvedThresholds | undefined
  readonly heapUsed: ResolvedThresholds | undefined
  readonly retryAfterMs: number
  readonly hook: SheddingHook
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedDdosOptions {
  /** 0: no cap. */
  readonly maxInFlight: number
  readonly rate: { readonly max: number; readonly windowMs: number } | undefined
  readonly banMs: number
  readonly surge: { readonly threshold: number; readonly intervalMs: number } | undefined
  readonly shedding: ResolvedSheddingOptions | undefined
  readonly exemptPaths: readonly string[]
  readonly ipv6PrefixLength: number
  readonly maxClients: number
  readonly redis: ResolvedRedisConnectionOptions | undefined
  readonly prefix: string
  readonly redisCheckIntervalMs: number
  readonly now: () => number
}

const HEAP_LIMIT = getHeapStatistics().heap_size_limit

export const DEFAULTS = Object.freeze({
  maxInFlight: 100,
  rate: Object.freeze({ max: 1000, windowMs: 60_000 }),
  banMs: 300_000,
  surge: Object.freeze({ threshold: 500, intervalMs: 300_000 }),
  shedding: Object.freeze({
    sampleIntervalMs: 500,
    eventLoopDelay: Object.freeze({ shed: 500, shedAll: 2000, recover: 200 }),
    eventLoopUtilization: Object.freeze({ shed: 0.98, shedAll: false as number | false, recover: 0.9 }),
    heapUsed: Object.freeze({
      shed: Math.floor(HEAP_LIMIT * 0.9),
      shedAll: Math.floor(HEAP_LIMIT * 0.95),
      recover: Math.floor(HEAP_LIMIT * 0.85),
    }),
    retryAfterMs: 5000,
    hook: 'preParsing' as SheddingHook,
  }),
  exemptPaths: Object.freeze(['/health']),
  ipv6PrefixLength: 64,
  maxClients: 100_000,
  prefix: 'rampart:ddos:',
  redisCheckIntervalMs: 1000,
  now: Date.now,
})

const KNOWN_KEYS = [...Object.keys(DEFAULTS), 'redis']
const THRESHOLD_KEYS = ['shed', 'shedAll', 'recover']
const DAY_MS = 24 * 3600 * 1000
const PREFIX_PATTERN = /^[A-Za-z0-9:_.{}-]{0,64}$/

const validate = new OptionValidator(PACKAGE)

function resolveThresholds(
  option: string,
  value: unknown,
  defaults: { shed: number; shedAll: number | false; recover: number },
  range: { min: number; max: number },
): ResolvedThresholds | undefined {
  if (value === false) return undefined
  const given = value === undefined ? {} : validate.object(option, value)
  validate.knownKeys(option, given, THRESHOLD_KEYS)
  const shed = validate.number(`${option}.shed`, given.shed ?? defaults.shed, range)
  // Given `shed` alone, the default `shedAll` and `recover` keep their proportion to the default `shed`.
  const scale = given.shed === undefined ? 1 : shed / defaults.shed
  const shedAllValue = given.shedAll ?? (defaults.shedAll === false ? false : defaults.shedAll * scale)
  const shedAll =
    shedAllValue === false ? Number.POSITIVE_INFINITY : validate.number(`${option}.shedAll`, shedAllValue, range)
  const recoverDefault = defaults.recover * scale
  const recover = validate.number(`${option}.recover`, given.recover ?? recoverDefault, range)
  if (recover >= shed) validate.fail(`${option}.recover`, `must be lower than ${option}.shed (${shed})`, recover)
  if (shedAll <= shed) validate.fail(`${option}.shedAll`, `must be higher than ${option}.shed (${shed})`, shedAll)
  return Object.freeze({ shed, shedAll, recover })
}

function resolveShedding(value: unknown): ResolvedSheddingOptions | undefined {
  if (value === false) return undefined
  const defaults = DEFAULTS.shedding
  const given = value === undefined ? {} : validate.object('shedding', value)
  validate.knownKeys('shedding', given, Object.keys(defaults))
  const eventLoopDelay = resolveThresholds('shedding.eventLoopDelay', given.eventLoopDelay, defaults.eventLoopDelay, {
    min: 1,
    max: 3_600_000,
  })
  const eventLoopUtilization = resolveThresholds(
    'shedding.eventLoopUtilization',
    given.eventLoopUtilization,
    defaults.eventLoopUtilization,
    { min: 0, max: 1 },
  )
  const heapUsed = resolveThresholds('shedding.heapUsed', given.heapUsed, defaults.heapUsed, {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  })
  if (eventLoopDelay === undefined && eventLoopUtilization === undefined && heapUsed === undefined) {
    validate.fail('shedding', 'ignores every signal; set `shedding: false` to turn shedding off')
  }
  return Object.freeze({
    sampleIntervalMs: validate.integer(
      'shedding.sampleIntervalMs',
      given.sampleIntervalMs ?? defaults.sampleIntervalMs,
      {
        min: 10,
        max: 60_000,
      },
    ),
    eventLoopDelay,
    eventLoopUtilization,
    heapUsed,
    retryAfterMs: validate.integer('shedding.retryAfterMs', given.retryAfterMs ?? defaults.retryAfterMs, {
      min: 1,
      max: DAY_MS,
    }),
    hook: validate.oneOf('shedding.hook', given.hook ?? defaults.hook, [
      'onRequest',
      'preParsing',
      'preHandler',
    ] as const),
  })
}

function resolveRate(value: unknown): ResolvedDdosOptions['rate'] {
  if (value === false) return undefined
  if (value === undefined) return DEFAULTS.rate
  const given = validate.object('rate', value)
  validate.knownKeys('rate', given, ['max', 'windowMs'])
  return Object.freeze({
    max: validate.integer('rate.max', given.max, { min: 1, max: 1_000_000_000 }),
    windowMs: validate.integer('rate.windowMs', given.windowMs ?? DEFAULTS.rate.windowMs, { min: 1, max: DAY_MS }),
  })
}

function resolveSurge(value: unknown): ResolvedDdosOptions['surge'] {
  if (value === false) return undefined
  if (value === undefined) return DEFAULTS.surge
  const given = validate.object('surge', value)
  validate.knownKeys('surge', given, ['threshold', 'intervalMs'])
  return Object.freeze({
    threshold: validate.integer('surge.threshold', given.threshold, { min: 1, max: 1_000_000_000 }),
    intervalMs: validate.integer('surge.intervalMs', given.intervalMs ?? DEFAULTS.surge.intervalMs, {
      min: 1,
      max: DAY_MS,
    }),
  })
}

/** Validates the user's options and folds in the defaults; throws RAMPART_DDOS_INVALID_OPTION. */
export function resolveOptions(options: DdosOptions = {}): ResolvedDdosOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, KNOWN_KEYS)
  const maxInFlight = given.maxInFlight ?? DEFAULTS.maxInFlight
  const exemptPaths = validate.stringList('exemptPaths', given.exemptPaths ?? DEFAULTS.exemptPaths)
  exemptPaths.forEach((path, index) => {
    if (!path.startsWith('/')) validate.fail(`exemptPaths[${index}]`, 'must start with "/"', path)
  })
  return Object.freeze({
    maxInFlight: maxInFlight === false ? 0 : validate.integer('maxInFlight', maxInFlight, { min: 1, max: 1_000_000 }),
    rate: resolveRate(given.rate),
    banMs: validate.integer('banMs', given.banMs ?? DEFAULTS.banMs, { min: 1, max: 366 * DAY_MS }),
    surge: resolveSurge(given.surge),
    shedding: resolveShedding(given.shedding),
    exemptPaths: Object.freeze(exemptPaths),
    ipv6PrefixLength: validate.integer('ipv6PrefixLength', given.ipv6PrefixLength ?? DEFAULTS.ipv6PrefixLength, {
      min: 32,
      max: 128,
    }),
    maxClients: validate.integer('maxClients', given.maxClients ?? DEFAULTS.maxClients, { min: 1, max: 100_000_000 }),
    redis: given.redis === undefined ? undefined : resolveRedisConnectionOptions(PACKAGE, 'redis', given.redis),
    prefix: validate.string('prefix', given.prefix ?? DEFAULTS.prefix, { nonEmpty: false, pattern: PREFIX_PATTERN }),
    redisCheckIntervalMs: validate.integer(
      'redisCheckIntervalMs',
      given.redisCheckIntervalMs ?? DEFAULTS.redisCheckIntervalMs,
      { min: 0, max: 3_600_000 },
    ),
    now: validate.func<() => number>('now', given.now ?? DEFAULTS.now),
  })
}

import { OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'

/**
 * Decides whether a finished request counts as a failure: its status code, and the error thrown
 * on the way if any (the status is then the one the error handler answered with).
 */
export type FailurePredicate = (statusCode: number, error: Error | undefined) => boolean

/** The settings of one breaker: global options, and what `config.rampart.circuitBreaker` may override per route. */
export interface BreakerOptions {
  /** Consecutive failures that open the circuit, or `false` to open on the failure rate only. Default 5 (the seed's). */
  failureThreshold?: number | false
  /**
   * Failure rate over the rolling window (a fraction, `0 < x <= 1`) that opens the circuit once the
   * window holds at least `minimumVolume` requests, or `false` to open on consecutive failures only. Default 0.5.
   */
  failureRateThreshold?: number | false
  /** Requests the rolling window must hold before its failure rate can open the circuit. Default 20. */
  minimumVolume?: number
  /** Length of the rolling window of the failure rate, in ms. Default 60,000. */
  rollingWindow?: number
  /** Buckets the rolling window is counted in (old buckets drop out whole). Default 10 (6 s each). */
  rollingBuckets?: number
  /** How long the circuit stays open before letting probes through (half-open), in ms. Default 60,000 (the seed's 60 s). */
  recoveryTimeout?: number
  /** Probe requests let through at once while half-open; the others get 503. Default 1. */
  halfOpenMaxProbes?: number
  /** Successful probes in a row that close the circuit again. Default 1. */
  successThreshold?: number
  /**
   * A request running longer than this (ms) counts as a failure when it finishes, whatever its
   * status; a half-open probe still running after it counts as failed. `false`: no timeout. Default `false`.
   */
  timeout?: number | false
  /**
   * Also answer 503 problem+json (`RAMPART_CIRCUIT_BREAKER_TIMEOUT`) as soon as `timeout` elapses,
   * instead of waiting for the handler; its late result is dropped. Needs `timeout`. Default `false`.
   */
  abortOnTimeout?: boolean
  /**
   * Which responses are failures: a list of status codes (plus any thrown error answered with a
   * 5xx), or a predicate of `(statusCode, error)`. Default: every 5xx. The breaker's own 503s never count.
   */
  failureStatuses?: readonly number[] | FailurePredicate
}

/** Options of @rampart/circuit-breaker. */
export interface CircuitBreakerOptions extends BreakerOptions {
  /** Clock in ms (recovery timeout, rolling window, request durations). Default: monotonic, `performance.timeOrigin + performance.now()`. */
  now?: () => number
}

/** A breaker's settings after defaults and validation, frozen. */
export interface ResolvedBreakerOptions {
  readonly failureThreshold: number | false
  readonly failureRateThreshold: number | false
  readonly minimumVolume: number
  readonly rollingWindow: number
  readonly rollingBuckets: number
  readonly recoveryTimeout: number
  readonly halfOpenMaxProbes: number
  readonly successThreshold: number
  readonly timeout: number | false
  readonly abortOnTimeout: boolean
  readonly failureStatuses: readonly number[] | FailurePredicate
  /** `failureStatuses` as one predicate. */
  readonly isFailure: FailurePredicate
}

/** The plugin's options after defaults and validation, frozen at register. */
export interface ResolvedCircuitBreakerOptions extends ResolvedBreakerOptions {
  readonly now: () => number
}

/** The default failure rule: any 5xx. */
export function isServerError(statusCode: number): boolean {
  return statusCode >= 500
}

/** Monotonic milliseconds on the epoch's scale: wall-clock steps never open or close a circuit early. */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now()
}

export const DEFAULTS: ResolvedCircuitBreakerOptions = Object.freeze({
  failureThreshold: 5,
  failureRateThreshold: 0.5,
  minimumVolume: 20,
  rollingWindow: 60_000,
  rollingBuckets: 10,
  recoveryTimeout: 60_000,
  halfOpenMaxProbes: 1,
  successThreshold: 1,
  timeout: false,
  abortOnTimeout: false,
  failureStatuses: isServerError,
  isFailure: isServerError,
  now: monotonicNow,
})

/** Keys `config.rampart.circuitBreaker` may set. */
export const BREAKER_KEYS: readonly string[] = Object.freeze([
  'failureThreshold',
  'failureRateThreshold',
  'minimumVolume',
  'rollingWindow',
  'rollingBuckets',
  'recoveryTimeout',
  'halfOpenMaxProbes',
  'successThreshold',
  'timeout',
  'abortOnTimeout',
  'failureStatuses',
])

/** Longest delay `setTimeout` honours (about 24.8 days). */
const MAX_DELAY = 2_147_483_647

export const optionValidator: OptionValidator = new OptionValidator(PACKAGE)
const validate = optionValidator

function name(where: string, key: string): string {
  return where.length > 0 ? `${where}.${key}` : key
}

function positiveOrFalse(where: string, key: string, value: unknown, max: number): number | false {
  if (value === false) return false
  if (typeof value !== 'number') validate.fail(name(where, key), 'must be a positive integer or false', value)
  return validate.integer(name(where, key), value, { min: 1, max })
}

function rateOrFalse(where: string, value: unknown): number | false {
  if (value === false) return false
  const option = name(where, 'failureRateThreshold')
  if (typeof value !== 'number') validate.fail(option, 'must be a fraction (0 < x <= 1) or false', value)
  const rate = validate.number(option, value, { max: 1 })
  if (rate <= 0) validate.fail(option, 'must be greater than 0 (a fraction of the requests, e.g. 0.5)', value)
  return rate
}

function failureRule(where: string, value: unknown): readonly number[] | FailurePredicate {
  const option = name(where, 'failureStatuses')
  if (typeof value === 'function') return value as FailurePredicate
  if (!Array.isArray(value)) validate.fail(option, 'must be an array of status codes or a function', value)
  return Object.freeze(
    (value as unknown[]).map((status, index) =>
      validate.integer(`${option}[${index}]`, status, { min: 100, max: 599 }),
    ),
  )
}

/** `failureStatuses` compiled once: a list becomes a table lookup (a thrown 5xx error always fails). */
function compileFailureRule(rule: readonly number[] | FailurePredicate): FailurePredicate {
  if (typeof rule === 'function') return rule
  const failing = new Uint8Array(600)
  for (const status of rule) failing[status] = 1
  return (statusCode, error) =>
    failing[statusCode] === 1 || (error !== undefined && statusCode >= 500 && statusCode <= 599)
}

/**
 * Validates `given` (global options, or a route's overrides when `where` names it) over `base` and
 * returns the frozen breaker settings. Throws `RAMPART_CIRCUIT_BREAKER_INVALID_OPTION` naming the option.
 */
export function resolveBreakerOptions(
  given: Record<string, unknown>,
  base: ResolvedBreakerOptions,
  where: string,
): ResolvedBreakerOptions {
  const pick = <K extends keyof ResolvedBreakerOptions>(key: K): unknown =>
    given[key] === undefined ? base[key] : given[key]
  const failureThreshold = positiveOrFalse(where, 'failureThreshold', pick('failureThreshold'), 1_000_000)
  const failureRateThreshold = rateOrFalse(where, pick('failureRateThreshold'))
  if (failureThreshold === false && failureRateThreshold === false) {
    validate.fail(
      name(where, 'failureThreshold'),
      'and failureRateThreshold cannot both be false: the circuit would never open',
    )
  }
  const rollingBuckets = validate.integer(name(where, 'rollingBuckets'), pick('rollingBuckets'), { min: 1, max: 1000 })
  const rollingWindow = validate.integer(name(where, 'rollingWindow'), pick('rollingWindow'), { min: 1 })
  if (rollingWindow < rollingBuckets) {
    validate.fail(
      name(where, 'rollingWindow'),
      `must be at least rollingBuckets (${rollingBuckets}) ms: each bucket spans at least 1 ms`,
      rollingWindow,
    )
  }
  const timeout = positiveOrFalse(where, 'timeout', pick('timeout'), MAX_DELAY)
  const abortOnTimeout = validate.boolean(name(where, 'abortOnTimeout'), pick('abortOnTimeout'))
  if (abortOnTimeout && timeout === false) {
    validate.fail(name(where, 'abortOnTimeout'), 'needs a timeout: set `timeout` (ms) as well')
  }
  const failureStatuses =
    given.failureStatuses === undefined ? base.failureStatuses : failureRule(where, given.failureStatuses)
  return Object.freeze({
    failureThreshold,
    failureRateThreshold,
    minimumVolume: validate.integer(name(where, 'minimumVolume'), pick('minimumVolume'), {
      min: 1,
      max: 1_000_000_000,
    }),
    rollingWindow,
    rollingBuckets,
    recoveryTimeout: validate.integer(name(where, 'recoveryTimeout'), pick('recoveryTimeout'), { min: 1 }),
    halfOpenMaxProbes: validate.integer(name(where, 'halfOpenMaxProbes'), pick('halfOpenMaxProbes'), {
      min: 1,
      max: 10_000,
    }),
    successThreshold: validate.integer(name(where, 'successThreshold'), pick('successThreshold'), {
      min: 1,
      max: 10_000,
    }),
    timeout,
    abortOnTimeout,
    failureStatuses,
    isFailure: failureStatuses === base.failureStatuses ? base.isFailure : compileFailureRule(failureStatuses),
  })
}

/** Validates the user's options and folds in the defaults; throws RAMPART_CIRCUIT_BREAKER_INVALID_OPTION. */
export function resolveOptions(options: CircuitBreakerOptions = {}): ResolvedCircuitBreakerOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, [...BREAKER_KEYS, 'now'])
  const now = given.now === undefined ? DEFAULTS.now : validate.func<() => number>('now', given.now)
  return Object.freeze({ ...resolveBreakerOptions(given, DEFAULTS, ''), now })
}

import type { OptionValidator } from '@rampart/core'
import { ALGORITHM_NAMES, type AlgorithmName, type PolicyParameters } from './algorithms/algorithm.js'

/** One limit as written in the options or in a route's config. */
export interface PolicyOptions {
  /** Requests per window. `0` refuses every request (and is reported at start-up). */
  limit: number
  /** The window in whole seconds (the `w` of `RateLimit-Policy`). */
  window: number
  /** Extra requests admitted on top of `limit` in one window (window algorithms) or in one burst (GCRA, token bucket). Default 0. */
  burst?: number
  /** Default: the instance's `algorithm` (`'sliding-window'`). */
  algorithm?: AlgorithmName
  /** Count, emit events and set headers, but never refuse. Default: the instance's `shadow` (false). */
  shadow?: boolean
  /**
   * What this policy does while a shared store (Redis) is unavailable: `'fail-open'` (an in-memory
   * insurance limiter enforces `limit / instances` on each instance) or `'fail-closed'` (refuse
   * with 503). Default: the store's `failureMode` (`'fail-open'`). The memory store never fails.
   */
  failureMode?: FailureMode
}

/** What a policy does while its store is unavailable. */
export type FailureMode = 'fail-open' | 'fail-closed'

export const FAILURE_MODES: readonly FailureMode[] = Object.freeze(['fail-open', 'fail-closed'])

/**
 * The optional ban of an instance: a client refused `after` times within `withinMs` is refused
 * for `durationMs` without its requests reaching the counters. Compiled from the `ban` option.
 */
export interface BanRule {
  /** Refusals (by enforced policies) that start a ban. */
  readonly after: number
  /** The strikes are counted in a window of this length, opened by the first strike. */
  readonly withinMs: number
  /** How long a ban lasts. */
  readonly durationMs: number
}

/** A compiled policy: what a store evaluates. Frozen. */
export interface Policy extends PolicyParameters {
  /** Name, unique among the policies a request meets; the item name in the `RateLimit` fields. */
  readonly name: string
  readonly algorithm: AlgorithmName
  /** `limit + burst`: the `q` of `RateLimit-Policy`. */
  readonly capacity: number
  readonly burst: number
  readonly windowSeconds: number
  readonly shadow: boolean
  /** While the store is unavailable; `undefined`: the store's default. */
  readonly failureMode: FailureMode | undefined
  /** Units in use from which a near-limit event fires (`ceil(nearLimit * capacity)`); 0 = never. */
  readonly nearLimitUnits: number
  /**
   * Stable part of the store key: `<name>.<algorithm>.<windowSeconds>`. Changing the algorithm or
   * the window changes the key (the old state means something else); changing the limit does not.
   */
  readonly id: string
  /** This policy's item of `RateLimit-Policy`: `"minute";q=70;w=60`. */
  readonly policyItem: string
}

/**
 * Policies a store evaluates together, for one client, in one atomic step. `scope` (which starts
 * with the instance's key prefix) makes the store key `<scope>:{<client>}`, in which each policy's
 * state is found by its `id`.
 */
export interface PolicySet {
  readonly scope: string
  readonly policies: readonly Policy[]
  /**
   * The instance's ban (on its global set only): checked before the policies; a banned client is
   * refused without touching the counters. Its state lives under `<scope>:ban:{<client>}`.
   */
  readonly ban?: BanRule
}

export const POLICY_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/
const POLICY_KEYS = ['limit', 'window', 'burst', 'algorithm', 'shadow', 'failureMode']
/** The largest window: one year. */
const MAX_WINDOW_SECONDS = 366 * 24 * 3600
const MAX_LIMIT = 1_000_000_000
/** The sliding log keeps one timestamp per admitted request: keep it for small limits. */
export const MAX_SLIDING_LOG_CAPACITY = 10_000

export interface PolicyDefaults {
  readonly algorithm: AlgorithmName
  readonly shadow: boolean
  /** Fraction of the capacity that triggers the near-limit event; 0 = off. */
  readonly nearLimit: number
}

/** Validates one policy's options (`option` names it in errors) and compiles it. */
export function compilePolicy(
  validate: OptionValidator,
  option: string,
  name: string,
  value: unknown,
  defaults: PolicyDefaults,
  extraKeys: readonly string[] = [],
): Policy {
  if (!POLICY_NAME.test(name)) {
    validate.fail(option, `is not a valid policy name (letters, digits, "_", ".", "-"; starting with a letter)`)
  }
  const given = validate.object(option, value)
  validate.knownKeys(option, given, [...POLICY_KEYS, ...extraKeys])
  const limit = validate.integer(`${option}.limit`, given.limit, { min: 0, max: MAX_LIMIT })
  const windowSeconds = validate.integer(`${option}.window`, given.window, { min: 1, max: MAX_WINDOW_SECONDS })
  const burst = validate.integer(`${option}.burst`, given.burst ?? 0, { min: 0, max: MAX_LIMIT })
  const algorithm = validate.oneOf(`${option}.algorithm`, given.algorithm ?? defaults.algorithm, ALGORITHM_NAMES)
  const shadow = validate.boolean(`${option}.shadow`, given.shadow ?? defaults.shadow)
  const failureMode =
    given.failureMode === undefined
      ? undefined
      : validate.oneOf(`${option}.failureMode`, given.failureMode, FAILURE_MODES)
  const capacity = limit + burst
  if (algorithm === 'sliding-log' && capacity > MAX_SLIDING_LOG_CAPACITY) {
    validate.fail(
      `${option}.limit`,
      `plus burst must be <= ${MAX_SLIDING_LOG_CAPACITY} with the sliding-log algorithm (it keeps one timestamp per request)`,
      capacity,
    )
  }
  return Object.freeze({
    name,
    algorithm,
    limit,
    burst,
    capacity,
    windowMs: windowSeconds * 1000,
    windowSeconds,
    shadow,
    failureMode,
    nearLimitUnits: defaults.nearLimit > 0 ? Math.max(1, Math.ceil(defaults.nearLimit * capacity)) : 0,
    id: `${name}.${algorithm}.${windowSeconds}`,
    policyItem: `"${name}";q=${capacity};w=${windowSeconds}`,
  })
}

/** Validates a `{ name: PolicyOptions }` map and compiles it, in insertion order. */
export function compilePolicies(
  validate: OptionValidator,
  option: string,
  value: unknown,
  defaults: PolicyDefaults,
): Policy[] {
  const given = validate.object(option, value)
  const names = Object.keys(given)
  if (names.length === 0) validate.fail(option, 'must name at least one policy')
  return names.map((name) => compilePolicy(validate, `${option}.${name}`, name, given[name], defaults))
}

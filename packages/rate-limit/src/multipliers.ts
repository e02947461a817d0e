import type { Identity, OptionValidator } from '@rampart/core'
import type { Policy, PolicySet } from './policy.js'
import { type RouteState, routeState } from './route-config.js'

/**
 * The `multipliers` option: larger limits for authenticated clients, by plan tier (seed 000's
 * `user_limit_multiplier` and `tier_multipliers`). The factor of an identity is
 * `authenticated × (tiers[identity.tier] ?? 1)`; anonymous requests get 1.
 */
export interface MultiplierOptions {
  /** Factor for every authenticated identity. Default 2 (the seed's `user_limit_multiplier`). */
  authenticated?: number
  /** Factor per `identity.tier`. Default `{ free: 1, basic: 2, pro: 5, enterprise: 10 }`; unknown tiers 1. */
  tiers?: Readonly<Record<string, number>>
}

export const MULTIPLIER_DEFAULTS = Object.freeze({
  authenticated: 2,
  tiers: Object.freeze({ free: 1, basic: 2, pro: 5, enterprise: 10 }) as Readonly<Record<string, number>>,
})

/** Compiled: the factor of each identity, from a table built at register. */
export interface Multipliers {
  readonly authenticated: number
  readonly tiers: ReadonlyMap<string, number>
}

const FACTOR = { min: 0.01, max: 10_000 }
const TIER = /^[A-Za-z0-9_.-]{1,64}$/

export function resolveMultipliers(validate: OptionValidator, value: unknown): Multipliers | undefined {
  if (value === undefined || value === false) return undefined
  const given = validate.object('multipliers', value === true ? {} : value)
  validate.knownKeys('multipliers', given, ['authenticated', 'tiers'])
  const authenticated = validate.number(
    'multipliers.authenticated',
    given.authenticated ?? MULTIPLIER_DEFAULTS.authenticated,
    FACTOR,
  )
  const tierOption = validate.object('multipliers.tiers', given.tiers ?? MULTIPLIER_DEFAULTS.tiers)
  const tiers = new Map<string, number>()
  for (const [tier, factor] of Object.entries(tierOption)) {
    if (!TIER.test(tier)) validate.fail(`multipliers.tiers.${tier}`, 'is not a valid tier name ([A-Za-z0-9_.-], 1..64)')
    tiers.set(tier, validate.number(`multipliers.tiers.${tier}`, factor, FACTOR))
  }
  return Object.freeze({ authenticated, tiers })
}

/** The factor of a request's identity: 1 when anonymous. */
export function factorOf(multipliers: Multipliers, identity: Identity | null | undefined): number {
  if (identity === null || identity === undefined) return 1
  const tier = identity.tier === undefined ? 1 : (multipliers.tiers.get(identity.tier) ?? 1)
  return multipliers.authenticated * tier
}

function scalePolicy(policy: Policy, factor: number): Policy {
  const limit = Math.floor(policy.limit * factor)
  const burst = Math.floor(policy.burst * factor)
  const capacity = limit + burst
  const nearLimitUnits =
    policy.nearLimitUnits === 0 ? 0 : Math.max(1, Math.ceil((policy.nearLimitUnits / policy.capacity) * capacity))
  return Object.freeze({
    ...policy,
    limit,
    burst,
    capacity,
    nearLimitUnits,
    policyItem: `"${policy.name}";q=${capacity};w=${policy.windowSeconds}`,
  })
}

/**
 * Route states scaled by a factor, built once per (route, factor) and kept: the factors come from
 * a fixed table, so there are at most `tiers + 2` of them per route. A scaled set counts under its
 * own scope (`<scope>:x<factor>`), so a store never sees one scope with two capacities.
 */
export class ScaledStates {
  readonly #byState = new WeakMap<RouteState, Map<number, RouteState>>()
  readonly #register: (set: PolicySet) => void

  constructor(register: (set: PolicySet) => void) {
    this.#register = register
  }

  get(state: RouteState, factor: number): RouteState {
    if (factor === 1 || state.disabled) return state
    let byFactor = this.#byState.get(state)
    if (byFactor === undefined) {
      byFactor = new Map()
      this.#byState.set(state, byFactor)
    }
    let scaled = byFactor.get(factor)
    if (scaled === undefined) {
      const sets = state.sets.map((set): PolicySet => {
        const scaledSet: PolicySet = Object.freeze({
          ...set,
          scope: `${set.scope}:x${factor}`,
          policies: Object.freeze(set.policies.map((policy) => scalePolicy(policy, factor))),
        })
        this.#register(scaledSet)
        return scaledSet
      })
      scaled = routeState(false, state.excludedPattern, sets)
      byFactor.set(factor, scaled)
    }
    return scaled
  }
}

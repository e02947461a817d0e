import type { FailureMode, Policy, PolicySet } from '../policy.js'
import type { ConsumeResult, PolicyDecision } from '../store.js'
import { MemoryStore } from './memory-store.js'

/** A policy's share on one of `instances` instances: `ceil(limit / instances)` (+ the same share of the burst). */
export function insurancePolicy(policy: Policy, instances: number): Policy {
  if (instances === 1) return policy
  const limit = Math.ceil(policy.limit / instances)
  const burst = Math.ceil(policy.burst / instances)
  const capacity = limit + burst
  const nearLimitUnits =
    policy.nearLimitUnits > 0 ? Math.max(1, Math.ceil((policy.nearLimitUnits * capacity) / policy.capacity)) : 0
  return Object.freeze({ ...policy, limit, burst, capacity, nearLimitUnits })
}

export interface InsuranceLimiterOptions {
  /** Instances sharing the store: each enforces its share of every limit while the store is down. */
  readonly instances: number
  /** Failure mode of policies that set none. */
  readonly failureMode: FailureMode
  readonly maxClients: number
  readonly now: () => number
}

/**
 * What decides while the shared store cannot: a `MemoryStore` holding each policy's per-instance
 * share. `fail-closed` policies refuse (marked `unavailable`), and then nothing is charged anywhere,
 * as the all-or-nothing contract wants; shadow policies never refuse, whatever their failure mode.
 */
export class InsuranceLimiter {
  readonly #options: InsuranceLimiterOptions
  readonly #memory: MemoryStore
  readonly #shares = new WeakMap<PolicySet, PolicySet>()
  readonly #originals = new WeakMap<Policy, Policy>()

  constructor(options: InsuranceLimiterOptions) {
    this.#options = options
    this.#memory = new MemoryStore({ maxClients: options.maxClients, now: options.now })
  }

  register(set: PolicySet): void {
    this.#memory.register(this.#share(set))
  }

  /** Decides one request locally; `retryAfterMs` is what a `fail-closed` refusal reports. */
  consume(client: string, sets: readonly PolicySet[], retryAfterMs: number): ConsumeResult {
    const shares: PolicySet[] = []
    let closed = false
    for (const set of sets) {
      shares.push(this.#share(set))
      for (const policy of set.policies) if (this.#failsClosed(policy)) closed = true
    }
    const result = this.#memory.consume(client, shares, closed)
    const decisions: PolicyDecision[] = result.decisions.map((decision) => {
      const policy = this.#originals.get(decision.policy) ?? decision.policy
      if (!this.#failsClosed(policy)) return { ...decision, policy }
      const wait = Math.max(1000, retryAfterMs)
      return { ...decision, policy, allowed: false, remaining: 0, resetMs: wait, retryAfterMs: wait, unavailable: true }
    })
    return { ...result, decisions, degraded: true }
  }

  close(): void {
    this.#memory.close()
  }

  #failsClosed(policy: Policy): boolean {
    return !policy.shadow && (policy.failureMode ?? this.#options.failureMode) === 'fail-closed'
  }

  #share(set: PolicySet): PolicySet {
    let share = this.#shares.get(set)
    if (share === undefined) {
      const policies = set.policies.map((policy) => {
        const scaled = insurancePolicy(policy, this.#options.instances)
        this.#originals.set(scaled, policy)
        return scaled
      })
      share = Object.freeze({ ...set, policies: Object.freeze(policies) })
      this.#shares.set(set, share)
    }
    return share
  }
}

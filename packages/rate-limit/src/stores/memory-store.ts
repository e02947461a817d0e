import { OptionValidator } from '@rampart/core'
import { EPSILON, type Evaluation } from '../algorithms/algorithm.js'
import { PACKAGE, ScopeConflictError } from '../errors.js'
import type { Policy, PolicySet } from '../policy.js'
import type { ConsumeResult, RateLimitStore } from '../store.js'
import { BanList } from './ban-list.js'
import { ClientTable } from './client-table.js'

export interface MemoryStoreOptions {
  /**
   * Clients tracked per policy set (the global policies are one set; each route with its own
   * policies is another). Default 100,000: about 15 MB for the default minute + hour set when full.
   */
  maxClients?: number
  /** The clock, in milliseconds since the epoch. Default `Date.now`; inject one in tests. */
  now?: () => number
}

export const MEMORY_STORE_DEFAULTS = Object.freeze({ maxClients: 100_000, now: Date.now })

/** Memory held by one set's table. */
export interface TableStats {
  readonly scope: string
  readonly clients: number
  readonly evictions: number
  readonly bytes: number
}

interface MutableDecision {
  policy: Policy
  scope: string
  allowed: boolean
  remaining: number
  resetMs: number
  retryAfterMs: number
  nearLimit: boolean
  used: number
}

const validate = new OptionValidator(PACKAGE)

function describePolicies(policies: readonly Policy[]): string {
  return policies.map((policy) => `${policy.id}/${policy.limit}+${policy.burst}`).join(', ')
}

/**
 * The in-process store: one `ClientTable` per policy set scope, synchronous, bounded by
 * `maxClients` per set, with no timers (idle clients are released a few at a time as requests
 * arrive). Not shared between processes: behind several instances each counts on its own.
 */
export class MemoryStore implements RateLimitStore {
  readonly shared = false
  readonly maxClients: number
  readonly #now: () => number
  readonly #tables = new Map<string, ClientTable>()
  readonly #bans = new Map<string, BanList>()
  /** The latest instant seen: time never runs backwards here, so a clock step back resets nothing. */
  #last = 0
  readonly #evaluation: Evaluation = { allowed: false, remaining: 0, resetMs: 0, retryAfterMs: 0, used: 0 }

  constructor(options: MemoryStoreOptions = {}) {
    validate.knownKeys('', validate.object('', options), Object.keys(MEMORY_STORE_DEFAULTS))
    this.maxClients = validate.integer('maxClients', options.maxClients ?? MEMORY_STORE_DEFAULTS.maxClients, {
      min: 1,
      max: 100_000_000,
    })
    this.#now = validate.func('now', options.now ?? MEMORY_STORE_DEFAULTS.now)
  }

  register(set: PolicySet): void {
    this.#table(set)
  }

  /**
   * See `RateLimitStore.consume`. With `veto`, the request is refused whatever the policies say:
   * nothing is charged and every decision reports the state as it stands (used by the Redis store's
   * insurance limiter when a `fail-closed` policy refuses during an outage).
   */
  consume(client: string, sets: readonly PolicySet[], veto = false): ConsumeResult {
    const clock = this.#now()
    const now = Math.max(clock, this.#last)
    this.#last = now
    const evaluation = this.#evaluation
    const decisions: MutableDecision[] = []
    const tables: ClientTable[] = []
    const slots: number[] = []
    let bannedMs = 0
    for (const set of sets) {
      if (set.ban !== undefined) bannedMs = Math.max(bannedMs, this.#banList(set.scope).bannedFor(client, now))
    }
    let allowed = !veto && bannedMs === 0
    let refused = false
    for (const set of sets) {
      const table = this.#table(set)
      const slot = table.locate(client, now)
      tables.push(table)
      slots.push(slot)
      for (let index = 0; index < set.policies.length; index++) {
        const policy = set.policies[index] as Policy
        table.evaluate(slot, index, now, policy, true, evaluation)
        if (!evaluation.allowed && !policy.shadow) {
          allowed = false
          refused = true
        }
        decisions.push({
          policy,
          scope: set.scope,
          allowed: evaluation.allowed,
          remaining: evaluation.remaining,
          resetMs: evaluation.resetMs,
          retryAfterMs: evaluation.retryAfterMs,
          nearLimit: false,
          used: evaluation.used,
        })
      }
    }
    let next = 0
    for (let setIndex = 0; setIndex < sets.length; setIndex++) {
      const policies = (sets[setIndex] as PolicySet).policies
      const table = tables[setIndex] as ClientTable
      const slot = slots[setIndex] as number
      for (let index = 0; index < policies.length; index++) {
        const policy = policies[index] as Policy
        const decision = decisions[next++] as MutableDecision
        if (!decision.allowed) continue
        if (allowed) {
          table.consume(slot, index, now, policy)
          if (policy.nearLimitUnits > 0 && decision.used >= policy.nearLimitUnits - EPSILON) {
            decision.nearLimit = table.markNearLimit(slot, index, now, policy)
          }
        } else {
          // Not counted because another policy refused: report the state as it stands.
          table.evaluate(slot, index, now, policy, false, evaluation)
          decision.remaining = evaluation.remaining
          decision.resetMs = evaluation.resetMs
        }
      }
      table.refreshIdle(slot)
    }
    let banStarted = false
    if (refused && !veto && bannedMs === 0) {
      for (const set of sets) {
        if (set.ban !== undefined && this.#banList(set.scope).strike(client, now, set.ban)) banStarted = true
      }
    }
    return { now, allowed, decisions, bannedMs, banStarted }
  }

  /** Per-set occupancy, for metrics and tests. */
  stats(): TableStats[] {
    return [...this.#tables.values()].map((table) => ({
      scope: table.scope,
      clients: table.size,
      evictions: table.evictions,
      bytes: table.bytes,
    }))
  }

  close(): void {
    this.#tables.clear()
    this.#bans.clear()
  }

  #banList(scope: string): BanList {
    let bans = this.#bans.get(scope)
    if (bans === undefined) {
      bans = new BanList(this.maxClients)
      this.#bans.set(scope, bans)
    }
    return bans
  }

  #table(set: PolicySet): ClientTable {
    let table = this.#tables.get(set.scope)
    if (table === undefined) {
      table = new ClientTable(set.scope, set.policies, this.maxClients)
      this.#tables.set(set.scope, table)
    } else if (table.policies !== set.policies) {
      const known = describePolicies(table.policies)
      const given = describePolicies(set.policies)
      if (known !== given) throw new ScopeConflictError(set.scope, known, given)
    }
    return table
  }
}

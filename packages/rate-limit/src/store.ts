import type { Policy, PolicySet } from './policy.js'

/** One policy's verdict for one request. */
export interface PolicyDecision {
  readonly policy: Policy
  /** The scope of the set the policy came from. */
  readonly scope: string
  /** The policy admits the request. False for a shadow policy that would have refused. */
  readonly allowed: boolean
  /** Whole requests left (after this one when it was counted). */
  readonly remaining: number
  /** Milliseconds until more quota is available (the `t` of `RateLimit`; 0 when full). */
  readonly resetMs: number
  /** Milliseconds until this policy would admit a request; 0 when it admitted this one. */
  readonly retryAfterMs: number
  /** This request took the client past the policy's near-limit threshold (at most once per window). */
  readonly nearLimit: boolean
  /**
   * Refused only because the store is unavailable and the policy is `fail-closed` (the plugin
   * answers 503, not 429, and publishes no `exceeded` event). Absent otherwise.
   */
  readonly unavailable?: boolean
}

/** The outcome of one `consume`. */
export interface ConsumeResult {
  /** The store's clock (ms since the epoch) when it decided: server time for a shared store. */
  readonly now: number
  /** No enforced (non-shadow) policy refused; the request was counted by every policy that admitted it. */
  readonly allowed: boolean
  /** One decision per policy, in the order of `sets` then of each set's policies. */
  readonly decisions: readonly PolicyDecision[]
  /**
   * Milliseconds left of a ban that refused this request (a set's `ban`); the policies were not
   * charged and their decisions report the state as it stands. Absent or 0: not banned.
   */
  readonly bannedMs?: number
  /** This request's refusal started a ban (it lasts `ban.durationMs`). */
  readonly banStarted?: boolean
  /** Decided without the shared store (its breaker is open or the call failed): the insurance limiter's verdict. */
  readonly degraded?: boolean
}

/**
 * Where counts live. The contract, which the memory store implements and a Redis store implements
 * with ONE Lua script call per request:
 *
 * - `consume(client, sets)` is atomic: it evaluates every policy of every set for `client` at one
 *   instant (the store's own clock; Redis `TIME`), and then
 *   - if every non-shadow policy admits the request, records it in every policy that admitted it
 *     (a shadow policy that would refuse is not charged, as if it were enforced);
 *   - otherwise records nothing anywhere: a refused request costs the client nothing, so hammering a
 *     refused minute window does not burn the hour budget.
 * - A set with a `ban`: a banned client is refused before any policy is charged (`bannedMs`); an
 *   enforced refusal is a strike, and `ban.after` strikes within `ban.withinMs` start a ban.
 * - The state of a set for a client lives under `<set.scope>:{<client>}` (each policy's part found
 *   by its `id`). Every key of one call shares the hash tag `{<client>}`, so a Redis Cluster keeps
 *   them in one slot.
 * - `client` is already a fixed-length hash (22 base64url characters); a store must not need more.
 * - The algorithms' arithmetic is in `src/algorithms/` (one file each): a store must reproduce it
 *   exactly (the property tests compare stores on random sequences).
 * - Sets with the same `scope` always have the same policy ids (the scope is derived from them).
 */
export interface RateLimitStore {
  /**
   * True when several processes share the counts (Redis): then an instance without its own `prefix`
   * is reported at start-up, since two apps with one default prefix would share their limits.
   */
  readonly shared: boolean
  /** Called at register time (and in `onRoute`) with every set the plugin will pass to `consume`. */
  register?(set: PolicySet): void
  /** Evaluates and (if admitted) records one request. See the interface's contract. */
  consume(client: string, sets: readonly PolicySet[]): ConsumeResult | Promise<ConsumeResult>
  /**
   * Awaited at Fastify's `onReady` (connects, loads scripts). Must not reject because the backend
   * is unreachable: the store then decides as it does during an outage.
   */
  ready?(): Promise<void>
  /** Releases timers, connections and memory. Called on Fastify's `onClose`. */
  close?(): void | Promise<void>
}

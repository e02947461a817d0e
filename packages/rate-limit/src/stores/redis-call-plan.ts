import type { Policy, PolicySet } from '../policy.js'
import type { ConsumeResult, PolicyDecision } from '../store.js'
import { ALGORITHM_CODES, REPLY_HEADER, REPLY_PER_POLICY } from './redis-script.js'

/**
 * Everything about one list of policy sets that does not depend on the client, computed once per
 * list (the plugin passes the same frozen list for every request of a route): the key templates,
 * the script's arguments, and the policies to decode the reply with.
 */
export interface CallPlan {
  /** Each key is `keyHeads[i] + client + '}'`. */
  readonly keyHeads: readonly string[]
  /**
   * `[...keys, now, ...arguments]` with the keys and `now` left empty: copied per call, then
   * filled in (one array allocation per request).
   */
  readonly template: readonly string[]
  readonly policies: readonly Policy[]
  readonly scopes: readonly string[]
}

/** `<scope>:<policy.id>:{` — the client and `}` follow, so the client is the Redis Cluster hash tag. */
function keyHead(scope: string, name: string): string {
  return `${scope}:${name}:{`
}

export function callPlan(sets: readonly PolicySet[]): CallPlan {
  const keyHeads: string[] = []
  const policyArgs: string[] = []
  const banArgs: string[] = []
  const banHeads: string[] = []
  const policies: Policy[] = []
  const scopes: string[] = []
  for (const set of sets) {
    for (const policy of set.policies) {
      if (policy.algorithm === 'sliding-log') keyHeads.push(keyHead(set.scope, policy.id))
      keyHeads.push(keyHead(set.scope, policy.algorithm === 'sliding-log' ? `${policy.id}:meta` : policy.id))
      policyArgs.push(
        String(ALGORITHM_CODES[policy.algorithm]),
        String(policy.limit),
        String(policy.capacity),
        String(policy.windowMs),
        policy.shadow ? '1' : '0',
        String(policy.nearLimitUnits),
      )
      policies.push(policy)
      scopes.push(set.scope)
    }
    if (set.ban !== undefined) {
      banHeads.push(keyHead(set.scope, 'ban'))
      banArgs.push(String(set.ban.after), String(set.ban.withinMs), String(set.ban.durationMs))
    }
  }
  keyHeads.push(...banHeads)
  const template = [
    ...keyHeads.map(() => ''),
    '',
    String(policies.length),
    String(banHeads.length),
    ...policyArgs,
    ...banArgs,
  ]
  return Object.freeze({
    keyHeads: Object.freeze(keyHeads),
    template: Object.freeze(template),
    policies: Object.freeze(policies),
    scopes: Object.freeze(scopes),
  })
}

/** The keys and arguments of one call: the plan's template with the client's keys and the time. */
export function callArguments(plan: CallPlan, client: string, now: string): string[] {
  const args = plan.template.slice()
  const keys = plan.keyHeads
  for (let i = 0; i < keys.length; i++) args[i] = `${keys[i]}${client}}`
  args[keys.length] = now
  return args
}

/** Thrown when a reply does not have the script's shape (a foreign script under our SHA, a proxy). */
export class UnexpectedReplyError extends Error {}

/** Turns the script's reply into a `ConsumeResult`. */
export function decodeReply(plan: CallPlan, reply: unknown): ConsumeResult {
  const count = plan.policies.length
  if (!Array.isArray(reply) || reply.length !== REPLY_HEADER + count * REPLY_PER_POLICY) {
    throw new UnexpectedReplyError('@rampart/rate-limit: unexpected reply from the rate-limit script')
  }
  const decisions: PolicyDecision[] = []
  for (let i = 0; i < count; i++) {
    const at = REPLY_HEADER + i * REPLY_PER_POLICY
    decisions.push({
      policy: plan.policies[i] as Policy,
      scope: plan.scopes[i] as string,
      allowed: reply[at] === 1,
      remaining: reply[at + 1] as number,
      resetMs: reply[at + 2] as number,
      retryAfterMs: reply[at + 3] as number,
      nearLimit: reply[at + 4] === 1,
    })
  }
  return {
    now: Number(reply[0]),
    allowed: reply[1] === 1,
    decisions,
    bannedMs: reply[2] as number,
    banStarted: reply[3] === 1,
    degraded: false,
  }
}

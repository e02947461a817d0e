import { fnv1a } from '../fnv.js'
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
  /** The script's second argument: the policies and ban rules as packed doubles. */
  readonly constants: Buffer
  readonly policies: readonly Policy[]
  readonly scopes: readonly string[]
}

/** `<scope>:<policy.id>:{` — the client and `}` follow, so the client is the Redis Cluster hash tag. */
function keyHead(scope: string, name: string): string {
  return `${scope}:${name}:{`
}

/**
 * A policy's tag in its set's stored string: FNV-1a of its id (`<name>.<algorithm>.<windowSeconds>`),
 * so a changed algorithm or window starts a fresh state and a changed limit keeps the count.
 */
function policyTag(id: string): number {
  return fnv1a(id)
}

export function callPlan(sets: readonly PolicySet[]): CallPlan {
  const keyHeads: string[] = []
  const setArgs: number[] = []
  const banArgs: number[] = []
  const banHeads: string[] = []
  const policies: Policy[] = []
  const scopes: string[] = []
  for (const set of sets) {
    keyHeads.push(`${set.scope}:{`)
    setArgs.push(set.policies.length)
    for (const policy of set.policies) {
      if (policy.algorithm === 'sliding-log') keyHeads.push(keyHead(set.scope, policy.id))
      setArgs.push(
        ALGORITHM_CODES[policy.algorithm],
        policy.limit,
        policy.capacity,
        policy.windowMs,
        policy.shadow ? 1 : 0,
        policy.nearLimitUnits,
        policyTag(policy.id),
      )
      policies.push(policy)
      scopes.push(set.scope)
    }
    if (set.ban !== undefined) {
      banHeads.push(keyHead(set.scope, 'ban'))
      banArgs.push(set.ban.after, set.ban.withinMs, set.ban.durationMs)
    }
  }
  keyHeads.push(...banHeads)
  const doubles = [sets.length, banHeads.length, ...setArgs, ...banArgs]
  const constants = Buffer.alloc(doubles.length * 8)
  for (const [index, value] of doubles.entries()) constants.writeDoubleLE(value, index * 8)
  return Object.freeze({
    keyHeads: Object.freeze(keyHeads),
    constants,
    policies: Object.freeze(policies),
    scopes: Object.freeze(scopes),
  })
}

/** The keys and arguments of one call: the client's keys, the time, the plan's constants. */
export function callArguments(plan: CallPlan, client: string, now: string): (string | Buffer)[] {
  const keys = plan.keyHeads
  const args = new Array<string | Buffer>(keys.length + 2)
  for (let i = 0; i < keys.length; i++) args[i] = `${keys[i]}${client}}`
  args[keys.length] = now
  args[keys.length + 1] = plan.constants
  return args
}

/** Thrown when a reply does not have the script's shape (a foreign script under our SHA, a proxy). */
export class UnexpectedReplyError extends Error {}

/** Turns the script's reply into a `ConsumeResult`. */
export function decodeReply(plan: CallPlan, reply: unknown): ConsumeResult {
  const count = plan.policies.length
  if (!Buffer.isBuffer(reply) || reply.length !== (REPLY_HEADER + count * REPLY_PER_POLICY) * 8) {
    throw new UnexpectedReplyError('@rampart/rate-limit: unexpected reply from the rate-limit script')
  }
  const decisions: PolicyDecision[] = []
  for (let i = 0; i < count; i++) {
    const at = (REPLY_HEADER + i * REPLY_PER_POLICY) * 8
    decisions.push({
      policy: plan.policies[i] as Policy,
      scope: plan.scopes[i] as string,
      allowed: reply.readDoubleLE(at) === 1,
      remaining: reply.readDoubleLE(at + 8),
      resetMs: reply.readDoubleLE(at + 16),
      retryAfterMs: reply.readDoubleLE(at + 24),
      nearLimit: reply.readDoubleLE(at + 32) === 1,
    })
  }
  return {
    now: reply.readDoubleLE(0),
    allowed: reply.readDoubleLE(8) === 1,
    decisions,
    bannedMs: reply.readDoubleLE(16),
    banStarted: reply.readDoubleLE(24) === 1,
    degraded: false,
  }
}

import type { PolicyDecision } from './store.js'

/** Whole seconds for a header: never rounds a wait down. */
export function seconds(ms: number): number {
  return Math.ceil(ms / 1000)
}

/**
 * The `RateLimit` field (draft-ietf-httpapi-ratelimit-headers-10): a structured-field list with one
 * item per policy, `"minute";r=42;t=17`. Names are validated tokens, so no escaping is needed.
 */
export function rateLimitField(decisions: readonly PolicyDecision[]): string {
  let field = ''
  for (let i = 0; i < decisions.length; i++) {
    const decision = decisions[i] as PolicyDecision
    if (i > 0) field += ', '
    field += `"${decision.policy.name}";r=${decision.remaining};t=${seconds(decision.resetMs)}`
  }
  return field
}

/**
 * The decision the legacy `X-RateLimit-*` headers describe: the refusing policy with the longest
 * wait if any refused; else the enforced policy with the least remaining (the later reset on a
 * tie). Shadow policies count only when every policy is in shadow mode.
 */
export function strictestDecision(decisions: readonly PolicyDecision[]): PolicyDecision | undefined {
  let best: PolicyDecision | undefined
  let bestRank = -1
  for (const decision of decisions) {
    const rank = decision.policy.shadow ? 0 : decision.allowed ? 1 : 2
    if (
      best === undefined ||
      rank > bestRank ||
      (rank === bestRank &&
        (rank === 2
          ? decision.retryAfterMs > best.retryAfterMs
          : decision.remaining < best.remaining ||
            (decision.remaining === best.remaining && decision.resetMs > best.resetMs)))
    ) {
      best = decision
      bestRank = rank
    }
  }
  return best
}

import type { Identity } from '@rampart/core'

const EMPTY: readonly string[] = Object.freeze([])

function addScopes(into: Set<string>, value: unknown): void {
  if (typeof value === 'string') {
    for (const scope of value.split(' ')) if (scope.length > 0) into.add(scope)
  } else if (Array.isArray(value)) {
    for (const scope of value) if (typeof scope === 'string' && scope.length > 0) into.add(scope)
  }
}

/**
 * The identity of verified claims: `id` from `sub`, kind `user`, `tier` from the `tierClaim` claim
 * (else `defaultTier`), scopes from `scope` (space-separated, RFC 8693), `scopes` and `permissions`
 * (arrays), and the claims themselves. Built once per token (cached with it) and frozen.
 */
export function identityOf(
  claims: Record<string, unknown>,
  subject: string,
  tierClaim: string,
  defaultTier: string | undefined,
): Identity {
  const scopes = new Set<string>()
  addScopes(scopes, claims.scope)
  addScopes(scopes, claims.scopes)
  addScopes(scopes, claims.permissions)
  const tierValue = claims[tierClaim]
  const tier = typeof tierValue === 'string' && tierValue.length > 0 ? tierValue : defaultTier
  return Object.freeze({
    id: subject,
    kind: 'user' as const,
    ...(tier === undefined ? {} : { tier }),
    scopes: scopes.size === 0 ? EMPTY : Object.freeze([...scopes]),
    claims: Object.freeze(claims),
  })
}

import type { Identity } from '@rampart/core'
import { type Grants, NO_GRANTS } from './roles.js'

/**
 * Where an identity's role names come from. It receives the verified identity only (never the
 * request): a role cannot come from a header, the query or the body. Non-string entries are ignored.
 */
export type RolesOf = (identity: Identity) => string | readonly unknown[] | null | undefined

const NONE: readonly string[] = Object.freeze([])

function claim(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined
}

/**
 * The default `rolesOf`: the verified claims' `role` and `roles` (each a string or an array of
 * strings). API keys carry scopes only: an `api-key` identity has no roles.
 */
export function rolesFromClaims(identity: Identity): readonly unknown[] {
  if (identity.kind === 'api-key') return NONE
  const claims = identity.claims
  if (claims === undefined || claims === null || typeof claims !== 'object') return NONE
  const role = claim(claims, 'role')
  const roles = claim(claims, 'roles')
  if (roles === undefined) return role === undefined ? NONE : [role]
  const list = Array.isArray(roles) ? roles : [roles]
  return role === undefined ? list : [role, ...list]
}

export interface AuthorizerSettings {
  readonly roles: ReadonlyMap<string, Grants>
  readonly rolesOf: RolesOf
  readonly useScopes: boolean
}

/**
 * An identity's grants: the union of the permissions of each of its known roles (inheritance
 * flattened at register) and, with `useScopes`, its scopes. Unknown role names grant nothing.
 * Frozen identities (the suite's are, cached per token) are worked out once, in a WeakMap.
 */
export class Authorizer {
  readonly #roles: ReadonlyMap<string, Grants>
  readonly #rolesOf: RolesOf
  readonly #useScopes: boolean
  readonly #cache = new WeakMap<Identity, Grants>()

  constructor(settings: AuthorizerSettings) {
    this.#roles = settings.roles
    this.#rolesOf = settings.rolesOf
    this.#useScopes = settings.useScopes
  }

  grantsOf(identity: Identity): Grants {
    const cached = this.#cache.get(identity)
    if (cached !== undefined) return cached
    const grants = this.#compute(identity)
    // A mutable identity could change under the cache; only frozen ones are remembered.
    if (Object.isFrozen(identity)) this.#cache.set(identity, grants)
    return grants
  }

  #compute(identity: Identity): Grants {
    const given = this.#rolesOf(identity)
    const names: readonly unknown[] = typeof given === 'string' ? [given] : Array.isArray(given) ? given : NONE
    const scopes: readonly unknown[] = this.#useScopes && Array.isArray(identity.scopes) ? identity.scopes : NONE
    if (scopes.length === 0 && names.length <= 1) {
      // The common case shares the role's precomputed grants.
      const name = names[0]
      return (typeof name === 'string' ? this.#roles.get(name) : undefined) ?? NO_GRANTS
    }
    const roles = new Set<string>()
    const permissions = new Set<string>()
    for (const name of names) {
      const role = typeof name === 'string' ? this.#roles.get(name) : undefined
      if (role === undefined) continue
      for (const each of role.roles) roles.add(each)
      for (const permission of role.permissions) permissions.add(permission)
    }
    for (const scope of scopes) if (typeof scope === 'string' && scope.length > 0) permissions.add(scope)
    return Object.freeze({ roles, permissions })
  }
}

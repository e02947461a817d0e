import type { Identity } from '@rampart/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Enforcer, OwnershipGrant, OwnershipOptions } from './enforcer.js'
import { optionValidator as validate } from './options.js'
import { type CompiledRule, compileList, holdsPermission, type RuleContext } from './rule.js'

/** A preHandler (or any request hook) that refuses with 401/403 unless the rule passes. */
export type RbacGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>

/** `fastify.rbac`: the checks, for handlers and for hooks of your own. */
export interface Rbac {
  /** Whether the identity holds the permission, from its roles or its scopes. `false` for no identity. */
  can(identity: Identity | null | undefined, permission: string): boolean
  /** Whether it holds every one of the permissions. */
  canAll(identity: Identity | null | undefined, permissions: readonly string[]): boolean
  /** Whether it holds at least one of the permissions. */
  canAny(identity: Identity | null | undefined, permissions: readonly string[]): boolean
  /** Whether it has the role, directly or through inheritance. */
  hasRole(identity: Identity | null | undefined, role: string): boolean
  /** Its permissions (roles and scopes together), sorted. */
  permissionsOf(identity: Identity | null | undefined): string[]
  /** Its known roles, inherited ones included, sorted. */
  rolesOf(identity: Identity | null | undefined): string[]
  /** A hook requiring every listed permission: `{ preHandler: fastify.rbac.requirePermission('read:users') }`. */
  requirePermission(...permissions: string[]): RbacGuard
  /** A hook requiring at least one of the listed permissions. */
  requireAnyPermission(...permissions: string[]): RbacGuard
  /** A hook requiring one of the listed roles. */
  requireRole(...roles: string[]): RbacGuard
  /**
   * For handlers: returns `'owner'` when `request.identity.id` equals `ownerId` (a string or a number),
   * `'permission'` when the identity holds `orPermission`; otherwise throws a `RefusalError`
   * (401 without identity, 403). Send it with core's `problemRepliesPlugin` (the preset registers it).
   */
  assertOwnership(request: FastifyRequest, ownerId: unknown, options?: OwnershipOptions): OwnershipGrant
}

function sorted(set: ReadonlySet<string> | undefined): string[] {
  return set === undefined ? [] : [...set].sort()
}

/** Builds `fastify.rbac` over the plugin's enforcer. */
export function createRbac(enforcer: Enforcer, context: RuleContext): Rbac {
  const wildcards = context.wildcards
  const guard = (rule: CompiledRule): RbacGuard =>
    async function rbacGuard(request, reply) {
      return enforcer.enforce(request, reply, rule)
    }
  const list = (name: string, subject: 'permissions' | 'roles', mode: 'all' | 'any', names: readonly unknown[]) =>
    guard(compileList(validate, `${name}(...)`, subject, names, mode, context))

  return Object.freeze({
    can: (identity, permission) => enforcer.can(identity, permission),
    canAll(identity, permissions) {
      const grants = enforcer.grantsOf(identity)
      return grants !== null && permissions.every((permission) => holdsPermission(grants, permission, wildcards))
    },
    canAny(identity, permissions) {
      const grants = enforcer.grantsOf(identity)
      return grants !== null && permissions.some((permission) => holdsPermission(grants, permission, wildcards))
    },
    hasRole: (identity, role) => enforcer.grantsOf(identity)?.roles.has(role) ?? false,
    permissionsOf: (identity) => sorted(enforcer.grantsOf(identity)?.permissions),
    rolesOf: (identity) => sorted(enforcer.grantsOf(identity)?.roles),
    requirePermission: (...permissions) => list('requirePermission', 'permissions', 'all', permissions),
    requireAnyPermission: (...permissions) => list('requireAnyPermission', 'permissions', 'any', permissions),
    requireRole: (...roles) => list('requireRole', 'roles', 'any', roles),
    assertOwnership: (request, ownerId, options) => enforcer.assertOwnership(request, ownerId, options),
  } satisfies Rbac)
}

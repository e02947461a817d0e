import type { OptionValidator } from '@rampart/core'
import { NAME_PATTERN, wildcardsOf } from './permission.js'
import type { Grants } from './roles.js'

/** `'all'`: every listed permission (or role) is required; `'any'`: one of them is enough. */
export type RuleMode = 'all' | 'any'

/** Whether a rule lists permissions or roles. */
export type RuleSubject = 'permissions' | 'roles'

/**
 * What a route (`config.rampart.rbac`), a path rule or `requirePermission` requires. Permissions
 * default to `mode: 'all'`; roles to `mode: 'any'` (one of the roles, inherited ones included).
 */
export type RbacRule =
  | { readonly permissions: readonly string[]; readonly mode?: RuleMode }
  | { readonly roles: readonly string[]; readonly mode?: RuleMode }

/** A rule checked and compiled once (at register, or when the route is added). */
export interface CompiledRule {
  readonly subject: RuleSubject
  readonly mode: RuleMode
  /** The permissions or roles listed. */
  readonly required: readonly string[]
  /** For each required permission, the wildcard grants that imply it (none unless `wildcards`). */
  readonly implied: readonly (readonly string[])[]
}

const NONE: readonly string[] = Object.freeze([])
export const MODES: readonly RuleMode[] = Object.freeze(['all', 'any'] as const)

/** What compiling a rule needs to know: the roles that exist and whether wildcards are on. */
export interface RuleContext {
  readonly roles: ReadonlyMap<string, Grants>
  readonly wildcards: boolean
}

/** Builds a compiled rule from lists already known to be strings (the helpers' arguments). */
export function compileList(
  validate: OptionValidator,
  where: string,
  subject: RuleSubject,
  names: readonly unknown[],
  mode: RuleMode,
  context: RuleContext,
): CompiledRule {
  if (names.length === 0) {
    validate.fail(
      where,
      `must list at least one ${subject === 'roles' ? 'role' : 'permission'} (to require only authentication, use @rampart/auth's \`required: true\`)`,
    )
  }
  const required = names.map((name, index) => {
    const text = validate.string(`${where}[${index}]`, name, { pattern: NAME_PATTERN })
    if (subject === 'permissions' && text.includes('*')) {
      validate.fail(`${where}[${index}]`, 'cannot be a wildcard: list the permission the route requires', text)
    }
    if (subject === 'roles' && !context.roles.has(text)) {
      validate.fail(`${where}[${index}]`, `is not a role; roles are: ${[...context.roles.keys()].join(', ')}`, text)
    }
    return text
  })
  const unique = [...new Set(required)]
  return Object.freeze({
    subject,
    mode,
    required: Object.freeze(unique),
    implied: Object.freeze(
      unique.map((name) => (subject === 'permissions' && context.wildcards ? wildcardsOf(name) : NONE)),
    ),
  })
}

/** Validates and compiles `{ permissions, mode? }` or `{ roles, mode? }`. */
export function compileRule(
  validate: OptionValidator,
  where: string,
  value: unknown,
  context: RuleContext,
): CompiledRule {
  const given = validate.object(where, value)
  validate.knownKeys(where, given, ['permissions', 'roles', 'mode'])
  const hasPermissions = given.permissions !== undefined
  const hasRoles = given.roles !== undefined
  if (hasPermissions === hasRoles) validate.fail(where, 'must give either `permissions` or `roles` (one of them)')
  const subject: RuleSubject = hasPermissions ? 'permissions' : 'roles'
  const mode =
    given.mode === undefined ? (hasPermissions ? 'all' : 'any') : validate.oneOf(`${where}.mode`, given.mode, MODES)
  const list = validate.stringList(`${where}.${subject}`, given[subject])
  return compileList(validate, `${where}.${subject}`, subject, list, mode, context)
}

/** Whether `grants` hold `permission` itself or, through `implied`, a wildcard that covers it. */
function holds(grants: Grants, permission: string, implied: readonly string[]): boolean {
  if (grants.permissions.has(permission)) return true
  for (const wildcard of implied) if (grants.permissions.has(wildcard)) return true
  return false
}

function holdsAt(grants: Grants, rule: CompiledRule, index: number): boolean {
  const name = rule.required[index] as string
  return rule.subject === 'roles'
    ? grants.roles.has(name)
    : holds(grants, name, rule.implied[index] as readonly string[])
}

/** Whether `grants` satisfy the rule. Allocates nothing. */
export function satisfies(grants: Grants, rule: CompiledRule): boolean {
  const count = rule.required.length
  if (rule.mode === 'all') {
    for (let index = 0; index < count; index++) if (!holdsAt(grants, rule, index)) return false
    return true
  }
  for (let index = 0; index < count; index++) if (holdsAt(grants, rule, index)) return true
  return false
}

/** What `grants` lack for the rule (with `mode: 'any'`, everything listed). Call after `satisfies` said no. */
export function missingOf(grants: Grants, rule: CompiledRule): readonly string[] {
  if (rule.mode === 'any') return rule.required
  return rule.required.filter((_, index) => !holdsAt(grants, rule, index))
}

/** `holds` for a permission given at run time (the `can` helpers): wildcards worked out on the spot. */
export function holdsPermission(grants: Grants, permission: string, wildcards: boolean): boolean {
  if (grants.permissions.has(permission)) return true
  return wildcards && holds(grants, permission, wildcardsOf(permission))
}

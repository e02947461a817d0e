import type { OptionValidator } from '@rampart/core'
import { NAME_PATTERN, WILDCARD_PATTERN } from './permission.js'

/** A role: the permissions it grants, or `{ permissions, inherits }` to also grant other roles'. */
export type RoleDefinition =
  | readonly string[]
  | {
      /** Permissions of this role. Default: none. */
      readonly permissions?: readonly string[]
      /** Roles whose permissions (and, transitively, whose inherited roles) this role also has. */
      readonly inherits?: readonly string[]
    }

/** Role name to definition. */
export type RoleMap = Readonly<Record<string, RoleDefinition>>

/** Seed 002's `Permission` enum. */
export const PERMISSIONS = Object.freeze({
  READ_USERS: 'read:users',
  WRITE_USERS: 'write:users',
  DELETE_USERS: 'delete:users',
  READ_POSTS: 'read:posts',
  WRITE_POSTS: 'write:posts',
  DELETE_POSTS: 'delete:posts',
  ADMIN_ACCESS: 'admin:access',
} as const)

/** Seed 002's `ROLE_PERMISSIONS`, exactly: the default role map. */
export const DEFAULT_ROLES: RoleMap = Object.freeze({
  user: Object.freeze([PERMISSIONS.READ_POSTS, PERMISSIONS.WRITE_POSTS]),
  moderator: Object.freeze([
    PERMISSIONS.READ_POSTS,
    PERMISSIONS.WRITE_POSTS,
    PERMISSIONS.DELETE_POSTS,
    PERMISSIONS.READ_USERS,
  ]),
  admin: Object.freeze([
    PERMISSIONS.READ_USERS,
    PERMISSIONS.WRITE_USERS,
    PERMISSIONS.DELETE_USERS,
    PERMISSIONS.READ_POSTS,
    PERMISSIONS.WRITE_POSTS,
    PERMISSIONS.DELETE_POSTS,
    PERMISSIONS.ADMIN_ACCESS,
  ]),
})

/** What an identity (or one role) holds: its roles, inherited ones included, and its permissions. */
export interface Grants {
  readonly roles: ReadonlySet<string>
  readonly permissions: ReadonlySet<string>
}

/** Holds nothing: anonymous-like, for identities without known roles or scopes. */
export const NO_GRANTS: Grants = Object.freeze({ roles: new Set<string>(), permissions: new Set<string>() })

interface Definition {
  readonly permissions: readonly string[]
  readonly inherits: readonly string[]
}

/** Checks one granted permission: a name, and a wildcard only when wildcards are on and well formed. */
export function checkGrantedPermission(
  validate: OptionValidator,
  where: string,
  value: unknown,
  wildcards: boolean,
): string {
  const permission = validate.string(where, value, { pattern: NAME_PATTERN })
  if (permission.includes('*')) {
    if (!wildcards) validate.fail(where, 'is a wildcard; set `wildcards: true` to grant one', permission)
    if (!WILDCARD_PATTERN.test(permission)) {
      validate.fail(where, 'must be a whole last segment, as in `admin:*` (a bare `*` is not supported)', permission)
    }
  }
  return permission
}

function definitionOf(validate: OptionValidator, where: string, value: unknown, wildcards: boolean): Definition {
  let permissions: unknown
  let inherits: unknown
  if (Array.isArray(value)) permissions = value
  else {
    const given = validate.object(where, value)
    validate.knownKeys(where, given, ['permissions', 'inherits'])
    permissions = given.permissions ?? []
    inherits = given.inherits ?? []
  }
  const list = validate.stringList(`${where}${Array.isArray(value) ? '' : '.permissions'}`, permissions)
  list.forEach((permission, index) => {
    checkGrantedPermission(
      validate,
      `${where}${Array.isArray(value) ? '' : '.permissions'}[${index}]`,
      permission,
      wildcards,
    )
  })
  return {
    permissions: list,
    inherits: inherits === undefined ? [] : validate.stringList(`${where}.inherits`, inherits),
  }
}

/**
 * Validates a role map and flattens inheritance: role name to the roles and permissions it holds.
 * Unknown inherited roles and inheritance cycles fail, naming the option.
 */
export function compileRoles(
  validate: OptionValidator,
  option: string,
  value: unknown,
  wildcards: boolean,
): ReadonlyMap<string, Grants> {
  const given = validate.object(option, value)
  const definitions = new Map<string, Definition>()
  for (const name of Object.keys(given)) {
    if (!NAME_PATTERN.test(name)) validate.fail(`${option}["${name}"]`, 'is not a role name (visible ASCII, no spaces)')
    definitions.set(name, definitionOf(validate, `${option}.${name}`, given[name], wildcards))
  }
  for (const [name, definition] of definitions) {
    definition.inherits.forEach((parent, index) => {
      if (!definitions.has(parent)) {
        validate.fail(
          `${option}.${name}.inherits[${index}]`,
          `is not a role; roles are: ${[...definitions.keys()].join(', ')}`,
          parent,
        )
      }
    })
  }

  const compiled = new Map<string, Grants>()
  const visiting: string[] = []
  const compile = (name: string): Grants => {
    const done = compiled.get(name)
    if (done !== undefined) return done
    if (visiting.includes(name)) {
      const cycle = [...visiting.slice(visiting.indexOf(name)), name].join(' -> ')
      validate.fail(`${option}.${visiting[visiting.length - 1]}.inherits`, `forms a cycle: ${cycle}`)
    }
    visiting.push(name)
    const definition = definitions.get(name) as Definition
    const roles = new Set<string>([name])
    const permissions = new Set<string>(definition.permissions)
    for (const parent of definition.inherits) {
      const inherited = compile(parent)
      for (const role of inherited.roles) roles.add(role)
      for (const permission of inherited.permissions) permissions.add(permission)
    }
    visiting.pop()
    const grants: Grants = Object.freeze({ roles, permissions })
    compiled.set(name, grants)
    return grants
  }
  for (const name of definitions.keys()) compile(name)
  return compiled
}

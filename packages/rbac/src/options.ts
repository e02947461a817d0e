import { normalizePath, OptionValidator } from '@rampart/core'
import { type RolesOf, rolesFromClaims } from './authorizer.js'
import { PACKAGE } from './errors.js'
import { compileRoles, DEFAULT_ROLES, type Grants, type RoleMap } from './roles.js'
import { type CompiledRule, compileRule, type RbacRule } from './rule.js'

/** The hooks the route check can run in. */
export type RbacHook = 'onRequest' | 'preValidation' | 'preHandler'
export const HOOKS: readonly RbacHook[] = Object.freeze(['onRequest', 'preValidation', 'preHandler'] as const)

/** Options of @rampart/rbac. */
export interface RbacOptions {
  /**
   * Role name to its permissions (or `{ permissions, inherits }`). Replaces the default map as a
   * whole (spread `DEFAULT_ROLES` to extend it). Default: seed 002's `user`, `moderator`, `admin`.
   */
  roles?: RoleMap
  /**
   * Where an identity's roles come from. Default: the verified claims' `role` and `roles` (string or
   * array); `api-key` identities have none (API keys carry scopes only).
   */
  rolesOf?: RolesOf
  /** Whether `identity.scopes` (JWT `scope`/`scopes`/`permissions`, API key scopes) count as permissions. Default `true`. */
  useScopes?: boolean
  /** Whether a granted `resource:*` (in a role or a scope) covers every `resource:<anything>`. Default `false`. */
  wildcards?: boolean
  /**
   * Rules by path prefix (normalised, segment-aware, longest wins), applied to the request path and
   * to the route pattern, in addition to a route's own rule: `{ '/api/admin': { permissions: ['admin:access'] } }`.
   * A route with `config.rampart.rbac: false` is exempt. Default: none.
   */
  pathRules?: Readonly<Record<string, RbacRule>>
  /** Hook the route check runs in: after authentication, before the handler. Default `'preHandler'`. */
  hook?: RbacHook
  /** Whether a 403 names the missing permissions (`detail` and a `missing` member). Default `false`. */
  exposeMissing?: boolean
  /** `WWW-Authenticate` of a 401, or `false` for none. Default `'Bearer'`. */
  challenge?: string | false
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedRbacOptions {
  /** Role name to its grants, inheritance flattened. */
  readonly roles: ReadonlyMap<string, Grants>
  readonly rolesOf: RolesOf
  readonly useScopes: boolean
  readonly wildcards: boolean
  /** Normalised path prefix and its rule. */
  readonly pathRules: readonly (readonly [string, CompiledRule])[]
  readonly hook: RbacHook
  readonly exposeMissing: boolean
  /** `null`: no `WWW-Authenticate` on a 401. */
  readonly challenge: string | null
}

export const DEFAULTS = Object.freeze({
  roles: DEFAULT_ROLES,
  rolesOf: rolesFromClaims as RolesOf,
  useScopes: true,
  wildcards: false,
  pathRules: Object.freeze({}) as Readonly<Record<string, RbacRule>>,
  hook: 'preHandler' as RbacHook,
  exposeMissing: false,
  challenge: 'Bearer' as string | false,
})

export const optionValidator: OptionValidator = new OptionValidator(PACKAGE)
const validate = optionValidator

/** The option given, or its default when absent (`null` is not absent: it fails validation). */
function pick<K extends keyof typeof DEFAULTS>(options: RbacOptions, key: K): unknown {
  const value = (options as Record<string, unknown>)[key]
  return value === undefined ? DEFAULTS[key] : value
}

/** A header value: printable ASCII, starting with a visible character (no CR/LF). */
const CHALLENGE_PATTERN = /^[\x21-\x7e][\x20-\x7e]*$/

/** Validates the user's options and folds in the defaults; throws RAMPART_RBAC_INVALID_OPTION. */
export function resolveOptions(options: RbacOptions = {}): ResolvedRbacOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, Object.keys(DEFAULTS))
  const wildcards = validate.boolean('wildcards', pick(options, 'wildcards'))
  const roles = compileRoles(validate, 'roles', pick(options, 'roles'), wildcards)
  const context = { roles, wildcards }

  const pathRules: [string, CompiledRule][] = []
  const rules = validate.object('pathRules', pick(options, 'pathRules'))
  const seen = new Map<string, string>()
  for (const prefix of Object.keys(rules)) {
    const where = `pathRules["${prefix}"]`
    validate.string(where, prefix, { pattern: /^\// })
    const path = normalizePath(prefix)
    const before = seen.get(path)
    if (before !== undefined) validate.fail(where, `is the same path as "${before}"`)
    seen.set(path, prefix)
    pathRules.push([path, compileRule(validate, where, rules[prefix], context)])
  }

  const challenge = pick(options, 'challenge')
  return Object.freeze({
    roles,
    rolesOf: validate.func<RolesOf>('rolesOf', pick(options, 'rolesOf')),
    useScopes: validate.boolean('useScopes', pick(options, 'useScopes')),
    wildcards,
    pathRules: Object.freeze(pathRules),
    hook: validate.oneOf('hook', pick(options, 'hook'), HOOKS),
    exposeMissing: validate.boolean('exposeMissing', pick(options, 'exposeMissing')),
    challenge: challenge === false ? null : validate.string('challenge', challenge, { pattern: CHALLENGE_PATTERN }),
  })
}

import { normalizePath, type PrefixMatcher, type RouteDescription } from '@rampart/core'
import { optionValidator as validate } from './options.js'
import { type CompiledRule, compileRule, type RbacRule, type RuleContext } from './rule.js'

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /**
     * @rampart/rbac: `{ permissions: [...], mode? }` or `{ roles: [...], mode? }` (in addition to
     * any path rule); `false` exempts the route from every rbac rule, path rules included.
     */
    rbac?: RbacRule | false
  }
}

/** A route's rbac settings, resolved once when the route is added. */
export interface RouteState {
  /** `config.rampart.rbac: false`: no rule applies, not even a path rule. */
  readonly exempt: boolean
  /** The route's own rule and the path rule of its pattern (each at most once). */
  readonly rules: readonly CompiledRule[]
}

const NO_RULES: readonly CompiledRule[] = Object.freeze([])

/** 404s: only the path rules of the request path apply. */
export const NOT_FOUND: RouteState = Object.freeze({ exempt: false, rules: NO_RULES })
const EXEMPT: RouteState = Object.freeze({ exempt: true, rules: NO_RULES })

export function resolveRoute(
  route: RouteDescription,
  config: RbacRule | false | undefined,
  paths: PrefixMatcher<CompiledRule> | null,
  context: RuleContext,
): RouteState {
  if (config === false) return EXEMPT
  const rules: CompiledRule[] = []
  if (config !== undefined) {
    const where = `config.rampart.rbac (route ${String(route.method)} ${route.url})`
    if (config === null || typeof config !== 'object') validate.fail(where, 'must be a rule object or false', config)
    rules.push(compileRule(validate, where, config, context))
  }
  const patternRule = paths?.match(normalizePath(route.url ?? '/'))
  if (patternRule !== undefined) rules.push(patternRule)
  return rules.length === 0 ? NOT_FOUND : Object.freeze({ exempt: false, rules: Object.freeze(rules) })
}

import { OptionValidator, type RouteDescription } from '@rampart/core'
import { PACKAGE } from './errors.js'
import { type ResolvedShieldOptions, type RuleOverrides, resolveOverrides } from './options.js'
import type { RuleSet, RuleTable } from './rule-set.js'
import { MODES, type Mode } from './rules.js'

/** `config: { rampart: { shield: { ... } | false } }` of a route. */
export interface ShieldRouteOptions {
  /** Mode of every rule on this route, over the plugin's mode and its overrides. */
  mode?: Mode
  /** Overrides on this route, by rule id or type, over everything else. */
  rules?: RuleOverrides
  /** Inspect the parsed body on this route (default: the plugin's `body`). */
  body?: boolean
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/shield on this route: `false` inspects nothing here. */
    shield?: ShieldRouteOptions | false
  }
}

const validate = new OptionValidator(PACKAGE)

/** A route's rule set, resolved once per route; `null`: the route is not inspected. */
export function resolveRoute(
  route: RouteDescription,
  config: ShieldRouteOptions | false | undefined,
  table: RuleTable,
  settings: ResolvedShieldOptions,
  global: RuleSet,
  keys: readonly string[],
): RuleSet | null {
  if (config === undefined) return global
  const where = `config.rampart.shield (route ${String(route.method)} ${route.url})`
  if (config === false) return null
  const given = validate.object(where, config)
  validate.knownKeys(where, given, ['mode', 'rules', 'body'])
  const mode = given.mode === undefined ? undefined : validate.oneOf(`${where}.mode`, given.mode, MODES)
  const rules = given.rules === undefined ? undefined : resolveOverrides(`${where}.rules`, given.rules, keys)
  const body = given.body === undefined ? settings.body : validate.boolean(`${where}.body`, given.body)
  return table.resolve(settings.mode, [{ rules: settings.rules }, { mode, rules }], body)
}

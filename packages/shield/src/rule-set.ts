import type { ResolvedOverride, ResolvedShieldOptions } from './options.js'
import {
  BUILT_IN_RULES,
  LOCATIONS,
  type Location,
  type Mode,
  PATTERN_RULE_TYPES,
  type PatternRule,
  type Severity,
  type ShieldRule,
} from './rules.js'

/** The effective rules of a route: each rule's mode (`undefined`: off) and severity, by rule index. */
export interface RuleSet {
  readonly modes: readonly (Mode | undefined)[]
  readonly severities: readonly Severity[]
  /** Inspect the parsed body on this route. */
  readonly body: boolean
}

/** Overrides at one level (plugin or route). */
export interface OverrideLayer {
  readonly mode?: Mode | undefined
  readonly rules?: Readonly<Record<string, ResolvedOverride | false>> | undefined
}

/** Every rule, built-in then custom, by index; pattern rules grouped by the locations they inspect. */
export class RuleTable {
  readonly rules: readonly ShieldRule[]
  readonly patterns: readonly (RegExp | undefined)[]
  /** Whether a rule is a SQL rule, which also reads values with SQL comments as blanks. */
  readonly sql: readonly boolean[]
  readonly byLocation: Readonly<Record<Location, readonly number[]>>
  /** Rules at an index below this are built in. */
  readonly builtInCount: number
  /** Whether a custom rule inspects the location. */
  readonly hasCustom: Readonly<Record<Location, boolean>>
  readonly userAgentMissing: number
  readonly userAgentOversized: number
  readonly originMismatch: number
  readonly slowRequest: number

  constructor(customRules: readonly PatternRule[]) {
    this.rules = Object.freeze([...BUILT_IN_RULES, ...customRules])
    this.patterns = Object.freeze(this.rules.map((rule) => (isPattern(rule) ? rule.pattern : undefined)))
    this.sql = Object.freeze(this.rules.map((rule) => rule.type === 'sqli'))
    this.builtInCount = BUILT_IN_RULES.length
    const byLocation = {} as Record<Location, readonly number[]>
    const hasCustom = {} as Record<Location, boolean>
    for (const location of LOCATIONS) {
      hasCustom[location] = customRules.some((rule) => rule.locations.includes(location))
      const indices: number[] = []
      this.rules.forEach((rule, index) => {
        if (isPattern(rule) && rule.locations.includes(location)) indices.push(index)
      })
      byLocation[location] = Object.freeze(indices)
    }
    this.byLocation = Object.freeze(byLocation)
    this.hasCustom = Object.freeze(hasCustom)
    this.userAgentMissing = this.#index('user-agent-missing')
    this.userAgentOversized = this.#index('user-agent-oversized')
    this.originMismatch = this.#index('origin-mismatch')
    this.slowRequest = this.#index('slow-request')
  }

  #index(id: string): number {
    return this.rules.findIndex((rule) => rule.id === id)
  }

  /**
   * Folds the layers over each rule, later layers winning: the rule's own mode (else the plugin's),
   * then per layer its `mode`, its override of the rule's type, its override of the rule's id.
   * A slow request cannot be refused: its mode stays `monitor`.
   */
  resolve(base: Mode, layers: readonly OverrideLayer[], body: boolean): RuleSet {
    const modes: (Mode | undefined)[] = []
    const severities: Severity[] = []
    for (const rule of this.rules) {
      let on = true
      let mode: Mode = rule.mode ?? base
      let severity = rule.severity
      for (const layer of layers) {
        if (layer.mode !== undefined) mode = layer.mode
        for (const key of [rule.type, rule.id]) {
          const override = layer.rules?.[key]
          if (override === undefined) continue
          if (override === false) {
            on = false
            continue
          }
          on = true
          mode = override.mode ?? mode
          severity = override.severity ?? severity
        }
      }
      modes.push(on ? (rule.type === 'slow-request' ? 'monitor' : mode) : undefined)
      severities.push(severity)
    }
    return Object.freeze({ modes: Object.freeze(modes), severities: Object.freeze(severities), body })
  }

  /** The plugin-wide rule set. */
  global(settings: ResolvedShieldOptions): RuleSet {
    return this.resolve(settings.mode, [{ rules: settings.rules }], settings.body)
  }
}

export function isPattern(rule: ShieldRule): rule is PatternRule {
  return (PATTERN_RULE_TYPES as readonly string[]).includes(rule.type)
}

export { type DetectedEvent, detectedChannel, type SlowRequestEvent, slowRequestChannel } from './diagnostics.js'
export { BLOCKED, PACKAGE } from './errors.js'
export type { Encoding } from './inspector.js'
export { matchingRules } from './match.js'
export {
  type CustomRule,
  DEFAULTS,
  type LogLevel,
  type ResolvedOverride,
  type ResolvedShieldOptions,
  type RuleKey,
  type RuleOverride,
  type RuleOverrides,
  resolveOptions,
  type ShieldOptions,
} from './options.js'
export { default, rampartShield } from './plugin.js'
export type { ShieldRouteOptions } from './route-config.js'
export {
  BUILT_IN_RULES,
  type BuiltInRuleId,
  FIXED_RULES,
  type Location,
  type Mode,
  PATTERN_RULES,
  type PatternRule,
  type PatternRuleType,
  type RuleType,
  type Severity,
  type ShieldRule,
} from './rules.js'

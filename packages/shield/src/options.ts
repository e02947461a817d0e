import { OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'
import {
  BUILT_IN_RULES,
  type BuiltInRuleId,
  LOCATIONS,
  type Location,
  MODES,
  type Mode,
  PATTERN_RULE_TYPES,
  type PatternRule,
  type PatternRuleType,
  RULE_TYPES,
  type RuleType,
  SEVERITIES,
  type Severity,
} from './rules.js'

/** A change to one rule, or to every rule of a type. */
export interface RuleOverride {
  mode?: Mode
  severity?: Severity
}

/** A key of `rules`: a built-in rule id, a rule type, or the id of a custom rule. */
export type RuleKey = BuiltInRuleId | RuleType | (string & {})

/**
 * Overrides keyed by rule id (`sqli-union-select`) or rule type (`sqli`): an object changes the
 * rule's mode and/or severity (and turns it on), `false` turns it off. An id wins over its type.
 */
export type RuleOverrides = Readonly<Partial<Record<RuleKey, RuleOverride | false>>>

/** A pattern rule of your own, run like the built-in ones. */
export interface CustomRule {
  /** Unique id, not one of the built-in ids or types. */
  id: string
  type: PatternRuleType
  /** Default: `'medium'`. */
  severity?: Severity
  /** Its own mode; default: the plugin's `mode`. */
  mode?: Mode
  /** A string is compiled case-insensitively. The `g` and `y` flags are dropped. */
  pattern: RegExp | string
  /** Default: every location. */
  locations?: readonly Location[]
  description?: string
}

/** Options of @rampart/shield. */
export interface ShieldOptions {
  /** Mode of every rule unless overridden: `monitor` (log and emit) or `block` (403). Default: `'monitor'`. */
  mode?: Mode
  /** Per-rule or per-type overrides (see `RuleOverrides`). Default: none. */
  rules?: RuleOverrides
  /** Pattern rules of your own. Default: none. */
  customRules?: readonly CustomRule[]
  /** Path prefixes never inspected (normalised, segment-aware), e.g. `['/health']`. Default: none. */
  exemptPaths?: readonly string[]
  /**
   * Request headers the pattern rules inspect (lower-case names). A match in a credential-bearing
   * header is reported with the sample redacted. Default: `['user-agent', 'referer', 'x-forwarded-host']`.
   */
  headers?: readonly string[]
  /** Inspect parsed request bodies (JSON, or any parser's objects and strings) in `preHandler`. Default: `false`. */
  body?: boolean
  /** Nesting levels of a body visited (the top-level object's values are level 1). Default: `16`. */
  bodyMaxDepth?: number
  /** Most strings (values and keys) inspected per body. Default: `1000`. */
  bodyMaxValues?: number
  /** Characters of each value inspected; the rest is not. Default: `4096`. */
  maxValueLength?: number
  /** Length of the `sample` in events and logs. Default: `64`. */
  sampleLength?: number
  /** A longer User-Agent matches `user-agent-oversized`. Default: `500` (the seed's). */
  userAgentMaxLength?: number
  /** A response slower than this (ms) emits `slow-request`; `0` turns the check off. Default: `10000` (the seed's). */
  slowRequestMs?: number
  /** Level of the line logged per suspicious request (`request.log`). Default: `'warn'`. */
  logLevel?: LogLevel
  /** Monotonic clock in ms for `slowRequestMs`. Default: Fastify's `reply.elapsedTime`. */
  now?: () => number
}

export type LogLevel = 'error' | 'warn' | 'info' | 'silent'
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'silent']

/** An override after validation. */
export interface ResolvedOverride {
  readonly mode: Mode | undefined
  readonly severity: Severity | undefined
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedShieldOptions {
  readonly mode: Mode
  readonly rules: Readonly<Record<string, ResolvedOverride | false>>
  readonly customRules: readonly PatternRule[]
  readonly exemptPaths: readonly string[]
  readonly headers: readonly string[]
  readonly body: boolean
  readonly bodyMaxDepth: number
  readonly bodyMaxValues: number
  readonly maxValueLength: number
  readonly sampleLength: number
  readonly userAgentMaxLength: number
  readonly slowRequestMs: number
  readonly logLevel: LogLevel
  readonly now: (() => number) | undefined
}

export const DEFAULTS: ResolvedShieldOptions = Object.freeze({
  mode: 'monitor',
  rules: Object.freeze({}),
  customRules: Object.freeze([]),
  exemptPaths: Object.freeze([]),
  headers: Object.freeze(['user-agent', 'referer', 'x-forwarded-host']),
  body: false,
  bodyMaxDepth: 16,
  bodyMaxValues: 1000,
  maxValueLength: 4096,
  sampleLength: 64,
  userAgentMaxLength: 500,
  slowRequestMs: 10_000,
  logLevel: 'warn',
  now: undefined,
})

const validate = new OptionValidator(PACKAGE)
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/
const RULE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/

/** Validates the user's options and folds in the defaults; throws RAMPART_SHIELD_INVALID_OPTION. */
export function resolveOptions(options: ShieldOptions = {}): ResolvedShieldOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, Object.keys(DEFAULTS))
  const customRules = resolveCustomRules(options.customRules ?? DEFAULTS.customRules)
  const known = ruleKeys(customRules)
  const headers = validate.stringList('headers', options.headers ?? DEFAULTS.headers).map((name, index) => {
    const lower = name.toLowerCase()
    if (!HEADER_NAME.test(lower)) validate.fail(`headers[${index}]`, 'must be a header name', name)
    return lower
  })
  return Object.freeze({
    mode: validate.oneOf('mode', options.mode ?? DEFAULTS.mode, MODES),
    rules: resolveOverrides('rules', options.rules ?? DEFAULTS.rules, known),
    customRules,
    exemptPaths: Object.freeze(validate.stringList('exemptPaths', options.exemptPaths ?? DEFAULTS.exemptPaths)),
    headers: Object.freeze([...new Set(headers)]),
    body: validate.boolean('body', options.body ?? DEFAULTS.body),
    bodyMaxDepth: validate.integer('bodyMaxDepth', options.bodyMaxDepth ?? DEFAULTS.bodyMaxDepth, { min: 1, max: 64 }),
    bodyMaxValues: validate.integer('bodyMaxValues', options.bodyMaxValues ?? DEFAULTS.bodyMaxValues, { min: 1 }),
    maxValueLength: validate.integer('maxValueLength', options.maxValueLength ?? DEFAULTS.maxValueLength, {
      min: 16,
      max: 1_048_576,
    }),
    sampleLength: validate.integer('sampleLength', options.sampleLength ?? DEFAULTS.sampleLength, {
      min: 8,
      max: 1024,
    }),
    userAgentMaxLength: validate.integer(
      'userAgentMaxLength',
      options.userAgentMaxLength ?? DEFAULTS.userAgentMaxLength,
      { min: 1 },
    ),
    slowRequestMs: validate.number('slowRequestMs', options.slowRequestMs ?? DEFAULTS.slowRequestMs, { min: 0 }),
    logLevel: validate.oneOf('logLevel', options.logLevel ?? DEFAULTS.logLevel, LOG_LEVELS),
    now: options.now === undefined ? undefined : validate.func<() => number>('now', options.now),
  })
}

/** The keys `rules` accepts: every rule id and every type. */
export function ruleKeys(customRules: readonly PatternRule[]): readonly string[] {
  return Object.freeze([...BUILT_IN_RULES.map((rule) => rule.id), ...customRules.map((rule) => rule.id), ...RULE_TYPES])
}

/** Validates `rules` (plugin or route): known keys, each `false` or `{ mode?, severity? }`. */
export function resolveOverrides(
  where: string,
  value: unknown,
  known: readonly string[],
): Readonly<Record<string, ResolvedOverride | false>> {
  const given = validate.object(where, value)
  validate.knownKeys(where, given, known)
  const out: Record<string, ResolvedOverride | false> = {}
  for (const [key, override] of Object.entries(given)) {
    const at = `${where}.${key}`
    if (override === false) {
      out[key] = false
      continue
    }
    const fields = validate.object(at, override)
    validate.knownKeys(at, fields, ['mode', 'severity'])
    const mode = fields.mode === undefined ? undefined : validate.oneOf(`${at}.mode`, fields.mode, MODES)
    if (mode === 'block' && key === 'slow-request') {
      validate.fail(`${at}.mode`, 'cannot be "block": a slow request is known only once it has been answered')
    }
    const severity =
      fields.severity === undefined ? undefined : validate.oneOf(`${at}.severity`, fields.severity, SEVERITIES)
    out[key] = Object.freeze({ mode, severity })
  }
  return Object.freeze(out)
}

function resolveCustomRules(value: unknown): readonly PatternRule[] {
  if (!Array.isArray(value)) validate.fail('customRules', 'must be an array of rules', value)
  const taken = new Set<string>([...BUILT_IN_RULES.map((rule) => rule.id), ...RULE_TYPES])
  return Object.freeze(
    (value as unknown[]).map((item, index) => {
      const at = `customRules[${index}]`
      const rule = validate.object(at, item)
      validate.knownKeys(at, rule, ['id', 'type', 'severity', 'mode', 'pattern', 'locations', 'description'])
      const id = validate.string(`${at}.id`, rule.id, { pattern: RULE_ID })
      if (taken.has(id)) validate.fail(`${at}.id`, 'is already the id of a rule or a rule type', id)
      taken.add(id)
      const locations =
        rule.locations === undefined
          ? LOCATIONS
          : validate
              .stringList(`${at}.locations`, rule.locations)
              .map((location, i) => validate.oneOf(`${at}.locations[${i}]`, location, LOCATIONS))
      if (locations.length === 0) validate.fail(`${at}.locations`, 'must name at least one location')
      const resolved: PatternRule = {
        id,
        type: validate.oneOf(`${at}.type`, rule.type, PATTERN_RULE_TYPES),
        severity: rule.severity === undefined ? 'medium' : validate.oneOf(`${at}.severity`, rule.severity, SEVERITIES),
        pattern: compilePattern(`${at}.pattern`, rule.pattern),
        locations: Object.freeze([...new Set(locations)]),
        description: rule.description === undefined ? id : validate.string(`${at}.description`, rule.description),
        ...(rule.mode === undefined ? {} : { mode: validate.oneOf(`${at}.mode`, rule.mode, MODES) }),
      }
      return Object.freeze(resolved)
    }),
  )
}

/** Compiled once here: a string case-insensitively; `g`/`y` dropped (they make `exec` stateful). */
function compilePattern(where: string, value: unknown): RegExp {
  if (value instanceof RegExp) return new RegExp(value.source, value.flags.replace(/[gy]/g, ''))
  const source = validate.string(where, value)
  try {
    return new RegExp(source, 'i')
  } catch (error) {
    return validate.fail(where, `is not a valid regular expression: ${(error as Error).message}`, value)
  }
}

import { BACKTICK_COMMAND, CHAINED_COMMAND, NEWLINE_COMMAND, SHELL_INVOCATION } from './patterns/command-injection.js'
import { EMBEDDING_TAG, EVENT_HANDLER, SCRIPT_API, SCRIPT_TAG, SCRIPT_URL } from './patterns/cross-site-scripting.js'
import { DOT_DOT_SEGMENT, DOTFILE_PROBE, RELATIVE_ESCAPE, SENSITIVE_FILE } from './patterns/path-traversal.js'
import {
  BLIND_SUBQUERY,
  COMMENT_TERMINATOR,
  INJECTION_FUNCTION,
  STACKED_QUERY,
  TAUTOLOGY,
  UNION_SELECT,
} from './patterns/sql-injection.js'

/** What a rule looks for. The first four are pattern rules, run over request values. */
export type RuleType =
  | 'sqli'
  | 'xss'
  | 'path-traversal'
  | 'command-injection'
  | 'user-agent'
  | 'origin-mismatch'
  | 'slow-request'
export type PatternRuleType = 'sqli' | 'xss' | 'path-traversal' | 'command-injection'
export type Severity = 'low' | 'medium' | 'high' | 'critical'
/** `monitor`: log and emit. `block`: also refuse with 403. */
export type Mode = 'monitor' | 'block'
/** Where a value came from. */
export type Location = 'path' | 'query' | 'header' | 'body'

export const RULE_TYPES: readonly RuleType[] = Object.freeze([
  'sqli',
  'xss',
  'path-traversal',
  'command-injection',
  'user-agent',
  'origin-mismatch',
  'slow-request',
])
export const PATTERN_RULE_TYPES: readonly PatternRuleType[] = Object.freeze([
  'sqli',
  'xss',
  'path-traversal',
  'command-injection',
])
export const SEVERITIES: readonly Severity[] = Object.freeze(['low', 'medium', 'high', 'critical'])
export const MODES: readonly Mode[] = Object.freeze(['monitor', 'block'])
export const LOCATIONS: readonly Location[] = Object.freeze(['path', 'query', 'header', 'body'])

/** The ids of the built-in rules (`BUILT_IN_RULES`). */
export type BuiltInRuleId =
  | 'sqli-union-select'
  | 'sqli-tautology'
  | 'sqli-blind-subquery'
  | 'sqli-comment'
  | 'sqli-stacked-query'
  | 'sqli-function'
  | 'xss-script-tag'
  | 'xss-event-handler'
  | 'xss-script-url'
  | 'xss-embedding-tag'
  | 'xss-script-api'
  | 'path-traversal-sequence'
  | 'path-traversal-body'
  | 'path-traversal-file'
  | 'path-traversal-dotfile'
  | 'command-injection-chained'
  | 'command-injection-newline'
  | 'command-injection-backtick'
  | 'command-injection-shell'
  | 'user-agent-missing'
  | 'user-agent-oversized'
  | 'origin-mismatch'
  | 'slow-request'

/** A rule as data. */
export interface ShieldRule {
  /** Stable id, the key of `rules` overrides and the `rule` of every event. */
  readonly id: string
  readonly type: RuleType
  readonly severity: Severity
  /** The rule's own mode; unset: the plugin's `mode`. */
  readonly mode?: Mode
  readonly description: string
}

/** A rule that matches a regular expression against the values of some locations. */
export interface PatternRule extends ShieldRule {
  readonly type: PatternRuleType
  readonly pattern: RegExp
  readonly locations: readonly Location[]
}

const URL_AND_HEADERS: readonly Location[] = Object.freeze(['path', 'query', 'header'])
const ALL: readonly Location[] = LOCATIONS
const VALUES: readonly Location[] = Object.freeze(['query', 'header', 'body'])

function pattern(
  id: string,
  type: PatternRuleType,
  severity: Severity,
  regex: RegExp,
  locations: readonly Location[],
  description: string,
): PatternRule {
  return Object.freeze({ id, type, severity, pattern: regex, locations, description })
}

function fixed(id: string, type: RuleType, severity: Severity, description: string): ShieldRule {
  return Object.freeze({ id, type, severity, description })
}

/** The built-in pattern rules, compiled once at module load. */
export const PATTERN_RULES: readonly PatternRule[] = Object.freeze([
  pattern('sqli-union-select', 'sqli', 'critical', UNION_SELECT, ALL, 'UNION [ALL] SELECT, comments as spaces'),
  pattern('sqli-tautology', 'sqli', 'high', TAUTOLOGY, ALL, "a condition after a closed quote: ' OR '1'='1, OR 1=1"),
  pattern('sqli-blind-subquery', 'sqli', 'high', BLIND_SUBQUERY, ALL, "' AND (SELECT ...)"),
  pattern('sqli-comment', 'sqli', 'high', COMMENT_TERMINATOR, ALL, "a comment cutting the query: admin'--"),
  pattern('sqli-stacked-query', 'sqli', 'critical', STACKED_QUERY, ALL, "a second statement: '; DROP TABLE"),
  pattern('sqli-function', 'sqli', 'high', INJECTION_FUNCTION, ALL, 'SLEEP(5), BENCHMARK, @@version, ...'),
  pattern('xss-script-tag', 'xss', 'high', SCRIPT_TAG, ALL, '<script>'),
  pattern('xss-event-handler', 'xss', 'high', EVENT_HANDLER, ALL, 'a tag with onerror=, onload=, ...'),
  pattern('xss-script-url', 'xss', 'high', SCRIPT_URL, ALL, 'javascript:code, data:text/html'),
  pattern('xss-embedding-tag', 'xss', 'medium', EMBEDDING_TAG, ALL, '<iframe>, <object>, <embed>, <base>, ...'),
  pattern('xss-script-api', 'xss', 'medium', SCRIPT_API, ALL, 'alert(1), document.cookie, eval(atob(...'),
  pattern('path-traversal-sequence', 'path-traversal', 'high', DOT_DOT_SEGMENT, URL_AND_HEADERS, '../, ..\\'),
  pattern('path-traversal-body', 'path-traversal', 'high', RELATIVE_ESCAPE, ['body'], 'a body value starting ../'),
  pattern('path-traversal-file', 'path-traversal', 'critical', SENSITIVE_FILE, VALUES, '/etc/passwd, win.ini, ...'),
  pattern('path-traversal-dotfile', 'path-traversal', 'medium', DOTFILE_PROBE, ['path'], '/.git/, /.env, ...'),
  pattern('command-injection-chained', 'command-injection', 'critical', CHAINED_COMMAND, ALL, '; id, | whoami'),
  pattern('command-injection-newline', 'command-injection', 'high', NEWLINE_COMMAND, URL_AND_HEADERS, '%0aid'),
  pattern('command-injection-backtick', 'command-injection', 'critical', BACKTICK_COMMAND, URL_AND_HEADERS, '`id`'),
  pattern('command-injection-shell', 'command-injection', 'critical', SHELL_INVOCATION, ALL, '$IFS, /bin/sh, bash -i'),
])

/** The built-in rules that are not patterns. */
export const FIXED_RULES: readonly ShieldRule[] = Object.freeze([
  fixed('user-agent-missing', 'user-agent', 'low', 'no User-Agent header, or an empty one'),
  fixed('user-agent-oversized', 'user-agent', 'medium', 'a User-Agent longer than userAgentMaxLength'),
  fixed('origin-mismatch', 'origin-mismatch', 'medium', "the Referer's origin differs from the Origin header"),
  fixed('slow-request', 'slow-request', 'low', 'a response took longer than slowRequestMs (event only)'),
])

/** Every built-in rule. */
export const BUILT_IN_RULES: readonly ShieldRule[] = Object.freeze([...PATTERN_RULES, ...FIXED_RULES])

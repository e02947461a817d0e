import { Inspector, Scan } from './inspector.js'
import { DEFAULTS } from './options.js'
import { RuleTable } from './rule-set.js'
import type { Location } from './rules.js'

const table = new RuleTable([])
const everyRuleOn = table.resolve('monitor', [], true)
const inspector = new Inspector(table, DEFAULTS.maxValueLength, DEFAULTS.sampleLength)

/**
 * The ids of the built-in pattern rules that match `value` found at `location`, decoded as the
 * plugin decodes it (a `query` value is one raw `name=value` pair, a `path` the raw path). For
 * measuring the rules against your own traffic; the plugin does not use it.
 */
export function matchingRules(value: string, location: Location): string[] {
  const scan = new Scan(table.rules.length)
  inspector.inspect(value, location, undefined, false, everyRuleOn, scan)
  return scan.detections.map((detection) => table.rules[detection.rule]!.id)
}

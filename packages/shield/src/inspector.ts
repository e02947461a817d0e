import { decodeEntities, decodeOnce, foldConfusables, hasEntity, hasEscape, sqlComments } from './decode.js'
import type { RuleSet, RuleTable } from './rule-set.js'
import type { Location } from './rules.js'
import { REDACTED, sampleOf, truncated } from './sample.js'

/** Longest `field` reported (a body path or query name is the client's text). */
const FIELD_LENGTH = 128

/** How a value had to be decoded, past what the application itself does, for a rule to match. */
export type Encoding = 'double-percent' | 'percent' | 'html-entity'

/** One rule that matched one value. */
export interface Detection {
  readonly rule: number
  readonly location: Location
  readonly field: string | undefined
  readonly sample: string
  readonly encoding: Encoding | undefined
}

/** The detections of one request phase: at most one per rule. */
export class Scan {
  readonly detections: Detection[] = []
  readonly #seen: Uint8Array

  constructor(ruleCount: number) {
    this.#seen = new Uint8Array(ruleCount)
  }

  seen(rule: number): boolean {
    return this.#seen[rule] === 1
  }

  add(detection: Detection): void {
    this.#seen[detection.rule] = 1
    this.detections.push(detection)
  }
}

/**
 * Values made only of these characters (and without `..`) cannot match a built-in rule: every
 * rule needs a quote, a blank, a bracket, a separator or a slash (`test/precheck.test.ts` holds
 * the rules to it). Such values skip the rules.
 */
const SAFE_VALUE = /^[\w\-.~=,@]*$/
/** The same for a path: slashes are fine, but not `..` or a hidden `/.name`. */
const SAFE_PATH = /^[\w\-.~/]*$/

/**
 * A URL made only of these characters, without `..` or `/.`, holds nothing a built-in rule can
 * match: the common `/api/users/42?page=2&sort=-date` skips the rules after one regex test.
 */
const SAFE_URL = /^[\w\-.~/]*(?:\?[\w\-.~=&,@]*)?$/

/** Whether the path or a query parameter of a request target may match a built-in rule. */
export function urlNeedsInspection(url: string): boolean {
  return !SAFE_URL.test(url) || url.includes('..') || url.includes('/.')
}

/** Whether a value needs the built-in rules at all. */
export function needsInspection(value: string, location: Location): boolean {
  if (location === 'path') return !(SAFE_PATH.test(value) && !value.includes('..') && !value.includes('/.'))
  return !(SAFE_VALUE.test(value) && !value.includes('..'))
}

/** Runs the pattern rules over values, in the canonical forms an application could read them in. */
export class Inspector {
  readonly #table: RuleTable
  readonly #maxLength: number
  readonly #sampleLength: number

  constructor(table: RuleTable, maxLength: number, sampleLength: number) {
    this.#table = table
    this.#maxLength = maxLength
    this.#sampleLength = sampleLength
  }

  /**
   * Inspects one value found at `location`. Records a detection for each rule that is on in `set`,
   * not yet seen in `scan`, and matches. With `everyRule` the rules that are off run too (nothing is
   * recorded for them), so the result says whether the value is clean for every rule set. Returns
   * whether any rule that ran matched.
   */
  inspect(
    raw: string,
    location: Location,
    field: string | undefined,
    redact: boolean,
    set: RuleSet,
    scan: Scan,
    everyRule = false,
  ): boolean {
    const value = raw.length > this.#maxLength ? raw.slice(0, this.#maxLength) : raw
    if (value.length === 0) return false
    // Built-in rules cannot match a safe value; custom rules might, so they always run.
    const safe = !needsInspection(value, location)
    if (safe && !this.#table.hasCustom[location]) return false
    const builtIns = this.#table.builtInCount
    // The form the application reads: the URL decoded once (`+` is a space in a query), headers
    // and bodies as they are; fullwidth `．／＜` as ASCII.
    const first =
      location === 'path' || location === 'query'
        ? foldConfusables(decodeOnce(value, location === 'query'))
        : foldConfusables(value)
    // Forms a lenient back end (or a browser) could read further.
    const second = hasEscape(first) ? foldConfusables(decodeOnce(first)) : undefined
    const third = hasEntity(first) ? foldConfusables(decodeEntities(first)) : undefined
    const secondEncoding: Encoding = location === 'path' || location === 'query' ? 'double-percent' : 'percent'

    // SQL rules also read each form with its SQL comments as blanks; computed on first need.
    let sqlFirst: string | undefined
    let sqlSecond: string | undefined

    let matched = false
    const modes = set.modes
    const sql = this.#table.sql
    for (const rule of this.#table.byLocation[location]) {
      if (safe && rule < builtIns) continue
      const on = modes[rule] !== undefined && !scan.seen(rule)
      if (!on && !everyRule) continue
      const pattern = this.#table.patterns[rule] as RegExp
      let text = first
      let encoding: Encoding | undefined
      let match = pattern.exec(first)
      if (match === null && sql[rule] === true) {
        sqlFirst ??= sqlComments(first)
        if (sqlFirst !== first) {
          match = pattern.exec(sqlFirst)
          text = sqlFirst
        }
      }
      if (match === null && second !== undefined) {
        match = pattern.exec(second)
        text = second
        encoding = secondEncoding
        if (match === null && sql[rule] === true) {
          sqlSecond ??= sqlComments(second)
          if (sqlSecond !== second) {
            match = pattern.exec(sqlSecond)
            text = sqlSecond
          }
        }
      }
      if (match === null && third !== undefined) {
        match = pattern.exec(third)
        text = third
        encoding = 'html-entity'
      }
      if (match === null) continue
      matched = true
      if (!on) continue
      const sample = redact ? REDACTED : sampleOf(text, match.index, this.#sampleLength)
      scan.add({
        rule,
        location,
        field: field === undefined ? undefined : truncated(field, FIELD_LENGTH),
        sample,
        encoding,
      })
    }
    return matched
  }
}

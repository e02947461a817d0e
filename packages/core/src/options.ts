import { defineError, type RampartErrorConstructor } from './errors.js'

export interface IntegerRange {
  min?: number
  max?: number
}

/**
 * Validates a plugin's options at `register`. Every failure throws the package's
 * `RAMPART_<PACKAGE>_INVALID_OPTION` error naming the option, what was wrong and the value given;
 * nothing falls back silently.
 */
export class OptionValidator {
  readonly packageName: string
  readonly #InvalidOption: RampartErrorConstructor

  constructor(packageName: string) {
    this.packageName = packageName
    this.#InvalidOption = defineError(packageName, 'INVALID_OPTION', '%s', 500)
  }

  /** Throws the coded error: `@rampart/<pkg>: option "<name>" <problem> (got <value>)`. */
  fail(option: string, problem: string, ...value: [unknown?]): never {
    const got = value.length > 0 ? ` (got ${describe(value[0])})` : ''
    throw new this.#InvalidOption(`@rampart/${this.packageName}: option "${option}" ${problem}${got}`)
  }

  /** A plain object (or `undefined` when `optional`). */
  object(option: string, value: unknown): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(option, 'must be an object', value)
    }
    return value as Record<string, unknown>
  }

  /** Fails on any key not in `known`: a misspelt option must not be ignored. */
  knownKeys(option: string, value: Record<string, unknown>, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        const where = option.length > 0 ? `${option}.${key}` : key
        this.fail(where, `is not a known option; known options are: ${known.join(', ')}`)
      }
    }
  }

  boolean(option: string, value: unknown): boolean {
    if (typeof value !== 'boolean') this.fail(option, 'must be true or false', value)
    return value as boolean
  }

  integer(option: string, value: unknown, range: IntegerRange = {}): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(option, 'must be an integer', value)
    this.#checkRange(option, value as number, range)
    return value as number
  }

  number(option: string, value: unknown, range: IntegerRange = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(option, 'must be a finite number', value)
    this.#checkRange(option, value as number, range)
    return value as number
  }

  string(
    option: string,
    value: unknown,
    { nonEmpty = true, pattern }: { nonEmpty?: boolean; pattern?: RegExp } = {},
  ): string {
    if (typeof value !== 'string') this.fail(option, 'must be a string', value)
    const text = value as string
    if (nonEmpty && text.length === 0) this.fail(option, 'must not be empty', value)
    if (pattern !== undefined && !pattern.test(text)) this.fail(option, `must match ${pattern}`, value)
    return text
  }

  stringList(option: string, value: unknown, { nonEmptyItems = true }: { nonEmptyItems?: boolean } = {}): string[] {
    if (!Array.isArray(value)) this.fail(option, 'must be an array of strings', value)
    const list = value as unknown[]
    list.forEach((item, index) => {
      if (typeof item !== 'string' || (nonEmptyItems && item.length === 0)) {
        this.fail(`${option}[${index}]`, 'must be a non-empty string', item)
      }
    })
    return [...(list as string[])]
  }

  oneOf<T extends string | number | boolean>(option: string, value: unknown, allowed: readonly T[]): T {
    if (!allowed.includes(value as T))
      this.fail(option, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value)
    return value as T
  }

  func<T extends (...args: never[]) => unknown>(option: string, value: unknown): T {
    if (typeof value !== 'function') this.fail(option, 'must be a function', value)
    return value as T
  }

  #checkRange(option: string, value: number, { min, max }: IntegerRange): void {
    if (min !== undefined && value < min) this.fail(option, `must be >= ${min}`, value)
    if (max !== undefined && value > max) this.fail(option, `must be <= ${max}`, value)
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value)
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

/** Merges user options over frozen defaults, one level deep; `undefined` values keep the default. */
export function withDefaults<T extends object>(defaults: T, options: Partial<T> | undefined): T {
  const merged = { ...defaults } as Record<string, unknown>
  if (options !== undefined) {
    for (const [key, value] of Object.entries(options)) if (value !== undefined) merged[key] = value
  }
  return merged as T
}

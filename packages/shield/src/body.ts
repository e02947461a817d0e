import type { Inspector, Scan } from './inspector.js'
import type { RuleSet } from './rule-set.js'
import { SENSITIVE_NAME } from './sample.js'

/** Walks a parsed body, inspecting its strings (keys too), within a depth and a count bound. */
export class BodyWalker {
  readonly #inspector: Inspector
  readonly #maxDepth: number
  readonly #maxValues: number

  constructor(inspector: Inspector, maxDepth: number, maxValues: number) {
    this.#inspector = inspector
    this.#maxDepth = maxDepth
    this.#maxValues = maxValues
  }

  /** Inspects `body` (plain objects, arrays and strings; anything else is skipped). */
  walk(body: unknown, set: RuleSet, scan: Scan): void {
    const budget = { left: this.#maxValues }
    this.#visit(body, undefined, false, 0, set, scan, budget)
  }

  #visit(
    value: unknown,
    path: string | undefined,
    redact: boolean,
    depth: number,
    set: RuleSet,
    scan: Scan,
    budget: { left: number },
  ): void {
    if (typeof value === 'string') {
      if (budget.left-- > 0) this.#inspector.inspect(value, 'body', path, redact, set, scan)
      return
    }
    if (value === null || typeof value !== 'object' || depth >= this.#maxDepth) return
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length && budget.left > 0; i++) {
        this.#visit(value[i], `${path ?? ''}[${i}]`, redact, depth + 1, set, scan, budget)
      }
      return
    }
    const prototype = Object.getPrototypeOf(value)
    if (prototype !== Object.prototype && prototype !== null) return
    for (const key of Object.keys(value)) {
      if (budget.left-- <= 0) return
      const child = path === undefined ? key : `${path}.${key}`
      const secret = redact || SENSITIVE_NAME.test(key)
      this.#inspector.inspect(key, 'body', child, secret, set, scan)
      this.#visit((value as Record<string, unknown>)[key], child, secret, depth + 1, set, scan, budget)
    }
  }
}

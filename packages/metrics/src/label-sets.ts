/** The value every label of a label set takes once a metric holds `max` label sets. */
export const OVERFLOW_LABEL = 'other'

/**
 * The children of one labelled metric (`counter.labels(...)`), one per label set, created once and
 * at most `max` of them: past it, new label sets share one child whose labels are all `other`, so a
 * publisher that puts unbounded values in a message cannot grow the exposition without bound.
 */
export class LabelSets<Child> {
  readonly max: number
  readonly #children = new Map<string, Child>()
  readonly #create: (values: readonly string[]) => Child
  readonly #overflow: readonly string[]
  readonly #onOverflow: () => void
  #warned = false

  constructor(width: number, max: number, create: (values: readonly string[]) => Child, onOverflow: () => void) {
    this.max = max
    this.#create = create
    this.#overflow = new Array<string>(width).fill(OVERFLOW_LABEL)
    this.#onOverflow = onOverflow
  }

  /** The child of these label values. */
  get(values: readonly string[]): Child {
    const key = values.length === 1 ? (values[0] as string) : values.join('\u0000')
    let child = this.#children.get(key)
    if (child !== undefined) return child
    if (this.#children.size >= this.max) return this.#overflowChild()
    child = this.#create(values)
    this.#children.set(key, child)
    return child
  }

  #overflowChild(): Child {
    if (!this.#warned) {
      this.#warned = true
      this.#onOverflow()
    }
    const key = this.#overflow.join('\u0000')
    let child = this.#children.get(key)
    if (child === undefined) {
      child = this.#create(this.#overflow)
      // stored past `max`, once: the one extra label set
      this.#children.set(key, child)
    }
    return child
  }
}

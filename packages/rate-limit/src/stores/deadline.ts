/** A store call that did not answer within its deadline. */
export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'DeadlineError'
  }
}

interface Entry {
  readonly deadline: number
  reject: ((error: Error) => void) | undefined
  next: Entry | undefined
}

/**
 * Deadlines for calls that all share one timeout: since they expire in the order they started, a
 * FIFO list and ONE timer (re-armed for the oldest pending call) replace a timer per call. A call
 * that settles first just clears its entry; the timer drops it when it reaches it.
 */
export class DeadlineQueue {
  readonly #timeoutMs: number
  readonly #now: () => number
  #head: Entry | undefined
  #tail: Entry | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(timeoutMs: number, now: () => number = performance.now.bind(performance)) {
    this.#timeoutMs = timeoutMs
    this.#now = now
  }

  /**
   * Settles like `promise`, or rejects with `DeadlineError` after the timeout, whichever comes
   * first. A late rejection of `promise` is handled here (never unhandled).
   */
  race<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = { deadline: this.#now() + this.#timeoutMs, reject, next: undefined }
      if (this.#tail === undefined) this.#head = entry
      else this.#tail.next = entry
      this.#tail = entry
      if (this.#timer === undefined) this.#arm(this.#timeoutMs)
      promise.then(
        (value) => {
          if (entry.reject === undefined) return
          entry.reject = undefined
          resolve(value)
        },
        (error: unknown) => {
          if (entry.reject === undefined) return
          entry.reject = undefined
          reject(error)
        },
      )
    })
  }

  /** Rejects every pending call now (on close). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    for (let entry = this.#head; entry !== undefined; entry = entry.next) this.#expire(entry)
    this.#head = this.#tail = undefined
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(delay)))
    this.#timer.unref()
  }

  #fire(): void {
    this.#timer = undefined
    const now = this.#now()
    let entry = this.#head
    // Settled entries are dropped as they are reached; expired ones are rejected.
    while (entry !== undefined && (entry.reject === undefined || entry.deadline <= now)) {
      this.#expire(entry)
      entry = entry.next
    }
    this.#head = entry
    if (entry === undefined) this.#tail = undefined
    else this.#arm(entry.deadline - now)
  }

  #expire(entry: Entry): void {
    const reject = entry.reject
    if (reject === undefined) return
    entry.reject = undefined
    reject(new DeadlineError(this.#timeoutMs))
  }
}

/** A store call that did not answer within its deadline. */
export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'DeadlineError'
  }
}

interface Entry {
  deadline: number
  /** Already given time back for an event-loop stall: a call gets it once. */
  credited: boolean
  reject: ((error: Error) => void) | undefined
  next: Entry | undefined
}

/** A timer this late means the process, not the store, was busy (a GC pause, synchronous work). */
const STALL_TOLERANCE_MS = 10
/** After a stall, the least time a pending call still gets: its command may have just been written. */
const STALL_GRACE_MS = 5
/** The most time given back to a call: a process stalled for longer answers late anyway. */
const MAX_STALL_CREDIT_MS = 1000

/**
 * Deadlines for calls that all share one timeout: since they expire in the order they started, a
 * FIFO list and ONE timer (re-armed for the oldest pending call) replace a timer per call. A call
 * that settles first just clears its entry; the timer drops it when it reaches it.
 *
 * A stalled event loop is not a slow store (reliability found-7). Timers run before I/O in a turn
 * of the loop, so after a stall the deadline would fire while the reply waits unread in the
 * socket. So expiry waits for `setImmediate` (after the poll phase has read the replies), and a
 * timer that fires late gives the pending calls the time the process lost (once, at most a
 * second), so the deadline measures the store's time, not the process's.
 */
export class DeadlineQueue {
  readonly #timeoutMs: number
  readonly #now: () => number
  #head: Entry | undefined
  #tail: Entry | undefined
  #timer: NodeJS.Timeout | undefined
  #immediate: NodeJS.Immediate | undefined
  /** When the armed timer is due: how late it fires is how long the loop was stalled. */
  #dueAt = 0
  readonly #expireDue = (): void => this.#expireDueEntries()

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
      const entry: Entry = { deadline: this.#now() + this.#timeoutMs, credited: false, reject, next: undefined }
      if (this.#tail === undefined) this.#head = entry
      else this.#tail.next = entry
      this.#tail = entry
      if (this.#timer === undefined && this.#immediate === undefined) this.#arm(this.#timeoutMs)
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
    if (this.#immediate !== undefined) clearImmediate(this.#immediate)
    this.#timer = undefined
    this.#immediate = undefined
    for (let entry = this.#head; entry !== undefined; entry = entry.next) this.#expire(entry)
    this.#head = this.#tail = undefined
  }

  #arm(delay: number): void {
    const ms = Math.max(1, Math.ceil(delay))
    this.#dueAt = this.#now() + ms
    this.#timer = setTimeout(() => this.#fire(), ms)
    this.#timer.unref()
  }

  #fire(): void {
    this.#timer = undefined
    const now = this.#now()
    const lost = now - this.#dueAt
    if (lost > STALL_TOLERANCE_MS) {
      // The loop was stalled: give each pending call the time lost, and at least a few ms from now
      // for a command written only when the stall ended to be answered.
      let head: Entry | undefined
      for (let entry = this.#head; entry !== undefined; entry = entry.next) {
        if (entry.reject === undefined) continue
        head ??= entry
        // One credit per call: on a machine short of CPU every timer is late, and repeated credits
        // would turn a hung store into a second-long wait.
        if (entry.credited) continue
        const credit = Math.min(Math.max(lost, now + STALL_GRACE_MS - entry.deadline), MAX_STALL_CREDIT_MS)
        if (credit <= 0) continue
        entry.deadline += credit
        entry.credited = true
      }
      if (head !== undefined && head.deadline > now) {
        this.#arm(head.deadline - now)
        return
      }
    }
    // Expire after the poll phase: replies already in the socket are read first.
    this.#immediate = setImmediate(this.#expireDue)
    this.#immediate.unref()
  }

  #expireDueEntries(): void {
    this.#immediate = undefined
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

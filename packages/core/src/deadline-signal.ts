/** A signal for one outbound call, and the way to release it once the call is over. */
export interface DeadlineSignal {
  readonly signal: AbortSignal
  /** Clears the timer and detaches from the parent; call it in `finally`. */
  release(): void
}

/**
 * Aborts when `parent` aborts or after `ms` (reason: a `TimeoutError` DOMException, as
 * `AbortSignal.timeout` gives). A plain timer held until `release()`: a timeout signal inside
 * `AbortSignal.any` can be garbage collected before it fires, and the call then never times out.
 */
export function deadlineSignal(parent: AbortSignal, ms: number): DeadlineSignal {
  const controller = new AbortController()
  if (parent.aborted) controller.abort(parent.reason)
  const onAbort = () => controller.abort(parent.reason)
  parent.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms)
  timer.unref()
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer)
      parent.removeEventListener('abort', onAbort)
    },
  }
}

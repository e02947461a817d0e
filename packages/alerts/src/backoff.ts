/**
 * Delay before retry number `attempt + 1` (attempt 0 is the first failure): `backoffMs * 2^attempt`,
 * capped at `maxBackoffMs`, with "equal jitter" (50-100 % of it) so that many instances retrying
 * after one outage spread out. A server's `Retry-After` raises the delay, up to `maxBackoffMs`.
 */
export function retryDelay(
  attempt: number,
  backoffMs: number,
  maxBackoffMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxBackoffMs, backoffMs * 2 ** attempt)
  const jittered = exponential / 2 + (exponential / 2) * random()
  const asked = retryAfterMs === undefined ? 0 : Math.min(maxBackoffMs, retryAfterMs)
  return Math.max(jittered, asked)
}

const DELAY_SECONDS = /^\d{1,9}$/
/** IMF-fixdate, the HTTP-date form senders must generate (RFC 9110 section 5.6.7). */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/

/** `Retry-After` (delay-seconds or an IMF-fixdate) in ms from now, or `undefined`. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (DELAY_SECONDS.test(trimmed)) return Number(trimmed) * 1000
  if (!IMF_FIXDATE.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

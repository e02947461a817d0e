import type { ClientEntry } from './client-table.js'

/**
 * Counts one request of a client and returns its estimated rate: the sliding-window estimate
 * over two fixed windows aligned on the clock (`previous` weighted by how much of it the sliding
 * window still covers, plus `current`). Two numbers per client, no timestamps list (the seed kept
 * every request time of every client for a minute). A clock that steps back counts in the
 * current window.
 */
export function countRequest(entry: ClientEntry, now: number, windowMs: number): number {
  const start = now - (now % windowMs)
  if (start > entry.windowStart) {
    entry.previous = start - entry.windowStart === windowMs ? entry.current : 0
    entry.current = 0
    entry.windowStart = start
  }
  entry.current++
  const elapsed = Math.max(0, now - entry.windowStart)
  return entry.previous * (1 - elapsed / windowMs) + entry.current
}

/** Forgets a client's count (it was just banned: it starts from zero when the ban ends). */
export function resetCount(entry: ClientEntry): void {
  entry.current = 0
  entry.previous = 0
}

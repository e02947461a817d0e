import type { Alert } from './alert.js'

/** `300000` → `5 min`, `3600000` → `1 h`, `1500` → `1500 ms`. */
export function duration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  if (ms % 1000 === 0) return `${ms / 1000} s`
  return `${ms} ms`
}

/** One line: `Rate-limit refusals: 100 events in 5 min (threshold 100)`; a first-event rule: its title. */
export function summary(alert: Alert): string {
  if (alert.threshold === 1 && alert.count === 1) return alert.title
  const events = alert.count === 1 ? 'event' : 'events'
  return `${alert.title}: ${alert.count} ${events} in ${duration(alert.windowMs)} (threshold ${alert.threshold})`
}

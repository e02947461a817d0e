/**
 * How bad an alert is. The log sink maps it to a pino level: `critical` → `fatal`,
 * `error` → `error`, `warning` → `warn`, `info` → `info`.
 */
export type Severity = 'critical' | 'error' | 'warning' | 'info'

export const SEVERITIES: readonly Severity[] = Object.freeze(['critical', 'error', 'warning', 'info'])

/**
 * What the event that fired an alert was about. Never headers, tokens, bodies or raw URLs: the
 * client address, the route pattern (`/api/users/:id`, not the path with its query) and a code.
 */
export interface AlertSample {
  /** The client address as resolved by @rampart/core (trusted-proxy aware), or `null`. */
  ip: string | null
  /** The route pattern, or the route the event names (a circuit breaker's), or `null` (404s, events without a route). */
  route: string | null
  /** What happened: the refusal code (`RAMPART_RATE_LIMIT_EXCEEDED`), a shield rule, a breaker transition, ... */
  code: string | null
}

/** An alert, as every sink and `rampart:alerts:fired` receive it. Plain data: JSON-serialisable. */
export interface Alert {
  /** The rule's type: `rate-limit`, `auth-failures`, `circuit-open`, or your own. */
  type: string
  /** The rule's human title: `Rate-limit refusals`. */
  title: string
  severity: Severity
  /** Events in the window when the alert fired (>= `threshold`). */
  count: number
  threshold: number
  windowMs: number
  /** Time (ms since the epoch) of the oldest event still in the window. */
  firstSeen: number
  /** Time of the event that fired the alert. */
  lastSeen: number
  /** Events that were at or over the threshold during the cooldown after the previous alert of this type (not alerted). */
  suppressed: number
  sample: AlertSample
}

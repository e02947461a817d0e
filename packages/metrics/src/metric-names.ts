/**
 * The name of every metric the plugin registers, before `prefix`. The seed's five series keep their
 * names (`http_requests_total`, ...); the suite's own carry `rampart_`.
 */
export const METRIC_NAMES = Object.freeze({
  /** Counter `{method, route, status}`: responses sent (and requests aborted by the client, status `499`). */
  requests: 'http_requests_total',
  /** Histogram `{method, route}`: seconds from the first `onRequest` hook to the last byte sent. */
  duration: 'http_request_duration_seconds',
  /** Gauge: requests received and not yet answered. */
  inFlight: 'http_requests_in_flight',
  /** Counter `{source, code, status}`: every refusal of the suite (`rampart:core:refusal`). */
  refusals: 'rampart_refusals_total',
  /** Counter `{route, client_type}`: requests refused by a rate-limit policy. */
  rateLimitHits: 'rate_limit_hits_total',
  /** Counter `{route, client_type}`: requests a shadow-mode policy would have refused. */
  rateLimitShadowHits: 'rampart_rate_limit_shadow_hits_total',
  /** Counter `{result, method}`: authentication outcomes (`success`, `failed`, `forbidden`, `unavailable`). */
  authAttempts: 'auth_attempts_total',
  /** Counter `{type, severity}`: attacks detected by the shield, and refusals of the kinds in `REFUSAL_VIOLATIONS`. */
  securityViolations: 'security_violations_total',
  /** Gauge `{route}`: circuit breaker state, 0 closed, 1 half-open, 2 open. */
  circuitBreakerState: 'rampart_circuit_breaker_state',
  /** Counter `{route, to}`: circuit breaker transitions. */
  circuitBreakerTransitions: 'rampart_circuit_breaker_transitions_total',
  /** Gauge: the DDoS shedding level, 0 none, 1 anonymous requests shed, 2 every request shed. */
  ddosShedding: 'rampart_ddos_shedding',
})

/** The `route` label of requests no route matched (404s): one label value, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched'

/** The `status` label of a request the client aborted before it was answered (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499

/** The full names of one plugin instance's metrics, `prefix` included. */
export type MetricNames = { readonly [K in keyof typeof METRIC_NAMES]: string }

/** `METRIC_NAMES` with `prefix` in front of each. */
export function metricNames(prefix: string): MetricNames {
  const names: Record<string, string> = {}
  for (const [key, name] of Object.entries(METRIC_NAMES)) names[key] = `${prefix}${name}`
  return Object.freeze(names) as MetricNames
}

export { type LooseMessage, SUBSCRIBED_CHANNELS, type SubscribedChannel } from './diagnostics.js'
export { bearerToken } from './endpoint.js'
export { AlreadyRegisteredError, DuplicateMetricError, FORBIDDEN, PACKAGE, UNAUTHORIZED } from './errors.js'
export { CIRCUIT_STATES } from './event-metrics.js'
export { OVERFLOW_LABEL } from './label-sets.js'
export { CLIENT_CLOSED_STATUS, METRIC_NAMES, type MetricNames, metricNames, UNMATCHED_ROUTE } from './metric-names.js'
export {
  DEFAULT_BUCKETS,
  DEFAULTS,
  type MetricsOptions,
  type MetricsProtection,
  type ResolvedMetricsOptions,
  type ResolvedProtection,
  resolveOptions,
} from './options.js'
export { default, NOT_EXPOSED_DEFAULT_METRICS, type RampartMetrics, rampartMetrics } from './plugin.js'
export { REFUSAL_VIOLATIONS, refusalViolation, type SourceViolations, type Violation } from './violations.js'

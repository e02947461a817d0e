export type { Alert, AlertSample, Severity } from './alert.js'
export { retryDelay } from './backoff.js'
export { type FiredEvent, firedChannel, type SinkFailedEvent, type SinkName, sinkFailedChannel } from './diagnostics.js'
export { AbandonedError, PACKAGE, QueueFullError, WebhookFailedError } from './errors.js'
export {
  type AlertFunction,
  type AlertsOptions,
  DEFAULTS,
  type ResolvedAlertsOptions,
  type ResolvedWebhookOptions,
  resolveOptions,
  WEBHOOK_DEFAULTS,
  type WebhookOptions,
} from './options.js'
export { type AlertsHandle, type AlertsStats, default, rampartAlerts } from './plugin.js'
export type { RuleStats } from './rule-tracker.js'
export { type AlertRule, type AlertRuleOptions, DEFAULT_RULES, type DefaultRule, type EventMatcher } from './rules.js'
export type { CodeReader, EventMessage } from './sample.js'
export { LOG_LEVELS } from './sinks/log-sink.js'
export type { SinkStats } from './sinks/sink.js'
export { type SlackMessage, slackMessage } from './slack-message.js'
export { SlidingWindowCounter } from './sliding-window.js'

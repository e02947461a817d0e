import { defineError } from '@rampart/core'

export const PACKAGE = 'alerts'

/**
 * `RAMPART_ALERTS_WEBHOOK_FAILED`: the webhook did not take an alert after every retry (timeout,
 * network error, a non-2xx answer). The message names the webhook's origin only, never its path
 * (a Slack webhook's path is its secret).
 */
export const WebhookFailedError = defineError(PACKAGE, 'WEBHOOK_FAILED', 'webhook %s: %s', 502)

/** `RAMPART_ALERTS_QUEUE_FULL`: the webhook's queue held `webhook.queueSize` alerts; this one was dropped. */
export const QueueFullError = defineError(
  PACKAGE,
  'QUEUE_FULL',
  'webhook %s: queue full (%s alerts); alert dropped',
  503,
)

/** `RAMPART_ALERTS_ABANDONED`: the app closed before the alert could be delivered within `closeTimeoutMs`. */
export const AbandonedError = defineError(PACKAGE, 'ABANDONED', '%s: closed before the alert was delivered', 503)

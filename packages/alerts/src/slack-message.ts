import type { Alert, Severity } from './alert.js'
import { duration, summary } from './format.js'

/** A Slack incoming-webhook payload: `text` (notifications, fallback) and Block Kit `blocks`. */
export interface SlackMessage {
  text: string
  blocks: readonly Record<string, unknown>[]
}

const EMOJI: Readonly<Record<Severity, string>> = Object.freeze({
  critical: ':rotating_light:',
  error: ':red_circle:',
  warning: ':warning:',
  info: ':information_source:',
})

/** Slack's three control characters in text (https://api.slack.com/reference/surfaces/formatting#escaping). */
function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A value in code style, so `*` and `_` in routes are not read as formatting. */
function code(value: string | null): string {
  return value === null ? '_none_' : `\`${escapeText(value.replace(/`/g, "'"))}\``
}

function field(label: string, value: string): Record<string, unknown> {
  return { type: 'mrkdwn', text: `*${label}*\n${value}` }
}

/** The default webhook body: what Slack (and Mattermost, Rocket.Chat, Discord's `/slack` endpoint) accept. */
export function slackMessage(alert: Alert): SlackMessage {
  const headline = `[${alert.severity.toUpperCase()}] ${summary(alert)}`
  const seen = `first seen ${new Date(alert.firstSeen).toISOString()}, last seen ${new Date(alert.lastSeen).toISOString()}`
  const suppressed = alert.suppressed > 0 ? `; ${alert.suppressed} suppressed since the previous alert` : ''
  return {
    text: `${EMOJI[alert.severity]} ${escapeText(headline)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${EMOJI[alert.severity]} *${escapeText(headline)}*` } },
      {
        type: 'section',
        fields: [
          field('Type', code(alert.type)),
          field('Events', `${alert.count} in ${duration(alert.windowMs)} (threshold ${alert.threshold})`),
          field('Client', code(alert.sample.ip)),
          field('Route', code(alert.sample.route)),
          field('Code', code(alert.sample.code)),
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeText(`${seen}${suppressed}`) }] },
    ],
  }
}

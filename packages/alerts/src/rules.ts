import { refusalChannel } from '@rampart/core'
import type { Severity } from './alert.js'
import { type CodeReader, codeField, type EventMessage, text } from './sample.js'

/** Decides whether a message of the rule's channel counts. */
export type EventMatcher = (message: EventMessage) => boolean

/**
 * One rule of the table, as given in the `rules` option. Overriding a default rule, give only what
 * changes (`{ threshold: 200 }`); a new rule needs at least `channel`.
 */
export interface AlertRuleOptions {
  /** The diagnostics channel the rule counts, e.g. `rampart:core:refusal`. Required for a new rule. */
  channel?: string
  /** Which messages count. Default: every message of the channel (a default rule: its own selector). */
  match?: EventMatcher
  /** Events within the window that fire the alert (1 = every event, subject to the cooldown). Default 1 for a new rule. */
  threshold?: number
  /** Length of the sliding window, in ms. Default: the `windowMs` option. */
  windowMs?: number
  /** After an alert, further alerts of this type are suppressed for this long, in ms. Default: the `cooldownMs` option. */
  cooldownMs?: number
  /** Default `'error'` for a new rule. */
  severity?: Severity
  /** Human title in logs and webhook messages. Default: the type. */
  title?: string
  /** Reads the sample's `code` from the message that fired. Default: its `code` field. */
  code?: CodeReader
}

/** A rule as the plugin runs it. */
export interface AlertRule {
  readonly type: string
  readonly title: string
  readonly channel: string
  /** `undefined`: every message counts. */
  readonly match: EventMatcher | undefined
  readonly threshold: number
  readonly windowMs: number
  readonly cooldownMs: number
  readonly severity: Severity
  readonly code: CodeReader
}

/** A default rule: everything but the window and cooldown, which come from the options. */
export type DefaultRule = Omit<AlertRule, 'type' | 'windowMs' | 'cooldownMs'>

const REFUSAL = refusalChannel.name

function joined(separator: string, ...parts: unknown[]): string | null {
  const texts = parts.map(text).filter((part) => part !== null)
  return texts.length === 0 ? null : texts.join(separator)
}

/**
 * The seed's three thresholds (per 5 minutes by default), plus the events that are worth an alert
 * the first time they happen. Every one is keyed by its type.
 */
export const DEFAULT_RULES: Readonly<Record<string, DefaultRule>> = Object.freeze({
  'rate-limit': Object.freeze<DefaultRule>({
    title: 'Rate-limit refusals',
    channel: REFUSAL,
    match: (message) => message.source === 'rate-limit' && message.status === 429,
    threshold: 100,
    severity: 'warning',
    code: codeField,
  }),
  'auth-failures': Object.freeze<DefaultRule>({
    title: 'Authentication failures',
    channel: REFUSAL,
    match: (message) => message.status === 401,
    threshold: 50,
    severity: 'error',
    code: codeField,
  }),
  'large-payloads': Object.freeze<DefaultRule>({
    title: 'Oversized payloads',
    channel: REFUSAL,
    match: (message) => message.source === 'content-guard' && message.status === 413,
    threshold: 10,
    severity: 'warning',
    code: codeField,
  }),
  attacks: Object.freeze<DefaultRule>({
    title: 'Attack patterns detected',
    channel: 'rampart:shield:detected',
    match: undefined,
    threshold: 10,
    severity: 'error',
    code: (message) => joined(':', message.type, message.rule),
  }),
  'ddos-bans': Object.freeze<DefaultRule>({
    title: 'Client banned by DDoS protection',
    channel: 'rampart:ddos:banned',
    // An operator's ban through the API is no attack signal.
    match: (message) => message.reason !== 'manual',
    threshold: 1,
    severity: 'error',
    code: (message) => joined(': ', 'banned', message.reason),
  }),
  'circuit-open': Object.freeze<DefaultRule>({
    title: 'Circuit breaker opened',
    channel: 'rampart:circuit-breaker:state',
    match: (message) => message.to === 'open',
    threshold: 1,
    severity: 'error',
    code: (message) => joined(': ', joined('->', message.from, message.to), message.reason),
  }),
  'store-down': Object.freeze<DefaultRule>({
    title: 'Rate-limit store unavailable',
    channel: 'rampart:rate-limit:store-state',
    match: (message) => message.state === 'open',
    threshold: 1,
    severity: 'critical',
    code: (message) => joined(': ', message.store, message.reason),
  }),
  'load-shedding': Object.freeze<DefaultRule>({
    title: 'Load shedding started',
    channel: 'rampart:ddos:shedding',
    match: (message) => message.active === true,
    threshold: 1,
    severity: 'critical',
    code: (message) =>
      joined(': ', typeof message.level === 'number' ? `level ${message.level}` : 'shedding', message.reason),
  }),
})

import { OptionValidator } from '@rampart/core'
import { type Alert, SEVERITIES, type Severity } from './alert.js'
import { PACKAGE } from './errors.js'
import { type AlertRule, type AlertRuleOptions, DEFAULT_RULES } from './rules.js'
import { type CodeReader, codeField } from './sample.js'

/** The custom sink: called with every alert, off the request path; may return a promise. */
export type AlertFunction = (alert: Alert) => unknown

/** The webhook sink (Slack incoming webhooks, or any endpoint taking JSON). */
export interface WebhookOptions {
  /** `http:` or `https:` URL the alerts are POSTed to. Treated as a secret: logs and errors show its origin only. */
  url: string
  /** Deadline of one attempt (connect, send, response headers), in ms. Default 2000. */
  timeoutMs?: number
  /** Attempts after the first, on a timeout, a network error, 408, 425, 429 or 5xx. Default 3. */
  retries?: number
  /** Delay before the first retry, in ms; doubled at each retry, with jitter (50-100 % of it). Default 500. */
  backoffMs?: number
  /** Longest delay between attempts (also caps `Retry-After`), in ms. Default 30000. */
  maxBackoffMs?: number
  /** Alerts waiting or being delivered; past it, new alerts are dropped and counted. Default 100. */
  queueSize?: number
  /** Extra request headers (e.g. `authorization` for your own endpoint). Never logged. */
  headers?: Readonly<Record<string, string>>
  /** Builds the JSON body. Default: a Slack-compatible `{ text, blocks }`. */
  format?: (alert: Alert) => unknown
}

/** Options of @rampart/alerts. */
export interface AlertsOptions {
  /**
   * Rules by type, merged over the defaults: change a default (`{ 'rate-limit': { threshold: 200 } }`),
   * turn one off (`{ attacks: false }`) or add your own (`{ 'csrf': { channel: 'rampart:csrf:rejected', threshold: 20 } }`).
   */
  rules?: Readonly<Record<string, AlertRuleOptions | false>>
  /** Start from the default rule table; `false`: only the rules given in `rules`. Default true. */
  defaultRules?: boolean
  /** Window of rules that name none, in ms. Default 300000 (5 minutes, the seed's). */
  windowMs?: number
  /** Cooldown of rules that name none, in ms. Default 300000 (the seed's 300 s). */
  cooldownMs?: number
  /** Time buckets per window (the window's resolution is `windowMs / buckets`). Default 60. */
  buckets?: number
  /** Log every alert through `fastify.log` (critical → fatal, error → error, warning → warn, info → info). Default true. */
  log?: boolean
  /** POST every alert to a webhook: a URL, or `WebhookOptions`. Default: none. */
  webhook?: string | WebhookOptions | false
  /** Your own sink, sync or async; what it throws is caught and logged. Default: none. */
  onAlert?: AlertFunction
  /** How long `close` waits for the webhook and `onAlert` to finish, in ms; what is left is abandoned. Default 5000. */
  closeTimeoutMs?: number
  /** Clock of the windows and cooldowns (ms since the epoch). Default `Date.now`. */
  now?: () => number
}

/** The webhook sink's settings after validation. */
export interface ResolvedWebhookOptions {
  readonly url: URL
  readonly timeoutMs: number
  readonly retries: number
  readonly backoffMs: number
  readonly maxBackoffMs: number
  readonly queueSize: number
  readonly headers: Readonly<Record<string, string>>
  readonly format: ((alert: Alert) => unknown) | undefined
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedAlertsOptions {
  readonly rules: readonly AlertRule[]
  readonly buckets: number
  readonly log: boolean
  readonly webhook: ResolvedWebhookOptions | undefined
  readonly onAlert: AlertFunction | undefined
  readonly closeTimeoutMs: number
  readonly now: () => number
}

export const DEFAULTS = Object.freeze({
  defaultRules: true,
  windowMs: 300_000,
  cooldownMs: 300_000,
  buckets: 60,
  log: true,
  closeTimeoutMs: 5000,
  now: Date.now as () => number,
})

export const WEBHOOK_DEFAULTS = Object.freeze({
  timeoutMs: 2000,
  retries: 3,
  backoffMs: 500,
  maxBackoffMs: 30_000,
  queueSize: 100,
})

const KNOWN_KEYS = [...Object.keys(DEFAULTS), 'rules', 'webhook', 'onAlert']
const RULE_KEYS = ['channel', 'match', 'threshold', 'windowMs', 'cooldownMs', 'severity', 'title', 'code']
const WEBHOOK_KEYS = ['url', ...Object.keys(WEBHOOK_DEFAULTS), 'headers', 'format']
const TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
const DAY_MS = 24 * 3600 * 1000
/** At least 1 s: with at most 1000 buckets, a bucket is never shorter than 1 ms. */
const WINDOW = { min: 1000, max: 7 * DAY_MS }
const COOLDOWN = { min: 0, max: 7 * DAY_MS }

const validate: OptionValidator = new OptionValidator(PACKAGE)

function resolveRule(type: string, value: unknown, windowMs: number, cooldownMs: number): AlertRule | undefined {
  const where = `rules.${type}`
  if (!TYPE_PATTERN.test(type)) validate.fail(where, `must be named by letters, digits and ._:- (at most 64)`)
  if (value === false) return undefined
  const given = validate.object(where, value)
  validate.knownKeys(where, given, RULE_KEYS)
  const base = Object.hasOwn(DEFAULT_RULES, type) ? DEFAULT_RULES[type] : undefined
  if (base === undefined && given.channel === undefined) {
    validate.fail(`${where}.channel`, 'is required for a rule that is not a default one')
  }
  const channel = given.channel === undefined ? base!.channel : validate.string(`${where}.channel`, given.channel)
  // A new channel with the default selector would count messages the selector was not written for.
  const match =
    given.match !== undefined
      ? validate.func<(message: unknown) => boolean>(`${where}.match`, given.match)
      : channel === base?.channel
        ? base.match
        : undefined
  return Object.freeze({
    type,
    title: validate.string(`${where}.title`, given.title ?? base?.title ?? type, { pattern: /^[^\r\n]{1,200}$/ }),
    channel,
    match,
    threshold: validate.integer(`${where}.threshold`, given.threshold ?? base?.threshold ?? 1, {
      min: 1,
      max: 1_000_000_000,
    }),
    windowMs: validate.integer(`${where}.windowMs`, given.windowMs ?? windowMs, WINDOW),
    cooldownMs: validate.integer(`${where}.cooldownMs`, given.cooldownMs ?? cooldownMs, COOLDOWN),
    severity: validate.oneOf<Severity>(`${where}.severity`, given.severity ?? base?.severity ?? 'error', SEVERITIES),
    code: given.code === undefined ? (base?.code ?? codeField) : validate.func<CodeReader>(`${where}.code`, given.code),
  })
}

function resolveRules(given: Record<string, unknown>, windowMs: number, cooldownMs: number): AlertRule[] {
  const includeDefaults = validate.boolean('defaultRules', given.defaultRules ?? DEFAULTS.defaultRules)
  const table = given.rules === undefined ? {} : validate.object('rules', given.rules)
  const types = includeDefaults ? Object.keys(DEFAULT_RULES) : []
  for (const type of Object.keys(table)) if (!types.includes(type)) types.push(type)
  const rules: AlertRule[] = []
  for (const type of types) {
    const rule = resolveRule(type, table[type] ?? {}, windowMs, cooldownMs)
    if (rule !== undefined) rules.push(rule)
  }
  return rules
}

function resolveHeaders(value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({})
  const given = validate.object('webhook.headers', value)
  const headers: Record<string, string> = {}
  for (const [name, headerValue] of Object.entries(given)) {
    if (!HEADER_NAME.test(name)) validate.fail(`webhook.headers.${name}`, 'is not a valid header name')
    // The value may be a credential: never echoed in the error.
    if (typeof headerValue !== 'string' || !HEADER_VALUE.test(headerValue)) {
      validate.fail(`webhook.headers.${name}`, 'must be a string without control characters')
    }
    headers[name.toLowerCase()] = headerValue as string
  }
  if (headers['content-type'] !== undefined) validate.fail('webhook.headers.content-type', 'is always application/json')
  return Object.freeze(headers)
}

function resolveWebhook(value: unknown): ResolvedWebhookOptions | undefined {
  if (value === undefined || value === false) return undefined
  const given = typeof value === 'string' ? { url: value } : validate.object('webhook', value)
  validate.knownKeys('webhook', given, WEBHOOK_KEYS)
  // The URL is a secret (a Slack webhook's path is its credential): never echoed in the error.
  if (typeof given.url !== 'string') validate.fail('webhook.url', 'must be an http: or https: URL string')
  const url = URL.canParse(given.url as string) ? new URL(given.url as string) : undefined
  if (url === undefined) validate.fail('webhook.url', 'must be an absolute http: or https: URL')
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    validate.fail('webhook.url', `must be an http: or https: URL (got a ${url.protocol} URL)`)
  }
  if (url.username !== '' || url.password !== '') {
    validate.fail('webhook.url', 'must not carry credentials; put them in `webhook.headers`')
  }
  const backoffMs = validate.integer('webhook.backoffMs', given.backoffMs ?? WEBHOOK_DEFAULTS.backoffMs, {
    min: 1,
    max: 600_000,
  })
  return Object.freeze({
    url,
    timeoutMs: validate.integer('webhook.timeoutMs', given.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs, {
      min: 1,
      max: 600_000,
    }),
    retries: validate.integer('webhook.retries', given.retries ?? WEBHOOK_DEFAULTS.retries, { min: 0, max: 20 }),
    backoffMs,
    maxBackoffMs: validate.integer('webhook.maxBackoffMs', given.maxBackoffMs ?? WEBHOOK_DEFAULTS.maxBackoffMs, {
      min: backoffMs,
      max: 3_600_000,
    }),
    queueSize: validate.integer('webhook.queueSize', given.queueSize ?? WEBHOOK_DEFAULTS.queueSize, {
      min: 1,
      max: 100_000,
    }),
    headers: resolveHeaders(given.headers),
    format:
      given.format === undefined ? undefined : validate.func<(alert: Alert) => unknown>('webhook.format', given.format),
  })
}

/** Validates the user's options and folds in the defaults; throws RAMPART_ALERTS_INVALID_OPTION. */
export function resolveOptions(options: AlertsOptions = {}): ResolvedAlertsOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, KNOWN_KEYS)
  const windowMs = validate.integer('windowMs', given.windowMs ?? DEFAULTS.windowMs, WINDOW)
  const cooldownMs = validate.integer('cooldownMs', given.cooldownMs ?? DEFAULTS.cooldownMs, COOLDOWN)
  const buckets = validate.integer('buckets', given.buckets ?? DEFAULTS.buckets, { min: 1, max: 1000 })
  const rules = resolveRules(given, windowMs, cooldownMs)
  const log = validate.boolean('log', given.log ?? DEFAULTS.log)
  const webhook = resolveWebhook(given.webhook)
  const onAlert = given.onAlert === undefined ? undefined : validate.func<AlertFunction>('onAlert', given.onAlert)
  return Object.freeze({
    rules: Object.freeze(rules),
    buckets,
    log,
    webhook,
    onAlert,
    closeTimeoutMs: validate.integer('closeTimeoutMs', given.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs, {
      min: 0,
      max: 600_000,
    }),
    now: validate.func<() => number>('now', given.now ?? DEFAULTS.now),
  })
}

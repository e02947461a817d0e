import diagnosticsChannel from 'node:diagnostics_channel'
import { routePattern } from '@rampart/core'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { Counter, Gauge, type Metric } from 'prom-client'
import { type LooseMessage, SUBSCRIBED_CHANNELS } from './diagnostics.js'
import { LabelSets } from './label-sets.js'
import type { MetricNames } from './metric-names.js'
import { UNMATCHED_ROUTE } from './metric-names.js'
import { RATE_LIMIT_COUNTED, SHADOW_HIT_COUNTED, setOnce } from './request-state.js'
import { refusalViolation } from './violations.js'

/** Circuit breaker states as the gauge reports them. */
export const CIRCUIT_STATES: Readonly<Record<string, number>> = Object.freeze({
  closed: 0,
  'half-open': 1,
  half_open: 1,
  open: 2,
})

/** `auth_attempts_total{result}` of each failure reason of @rampart/auth and @rampart/api-key. */
const FAILURE_RESULTS: Readonly<Record<string, string>> = Object.freeze({
  missing: 'failed',
  incomplete: 'failed',
  invalid: 'failed',
  'insufficient-scope': 'forbidden',
  unavailable: 'unavailable',
})

const MAX_LABEL_LENGTH = 128
const UNKNOWN = 'unknown'

/** A label value from an unchecked field: a short string, else `fallback`. */
function label(value: unknown, fallback = UNKNOWN): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_LABEL_LENGTH ? value : fallback
}

function isObject(value: unknown): value is LooseMessage {
  return typeof value === 'object' && value !== null
}

type Inc = { inc(value?: number): void }
type Settable = { set(value: number): void }

export interface EventMetricsOptions {
  names: MetricNames
  maxLabelSets: number
  log: FastifyBaseLogger
  /**
   * This app's `fastify.rampartMetrics`: a message about a request is counted only when the
   * request's Fastify instance carries it, so two apps in one process never count each other's.
   */
  owner: object
}

/**
 * The metrics fed by the suite's event channels, and this app's subscriptions to them. Channels are
 * process-global: every instance subscribes its own listeners and keeps only its own requests.
 */
export class EventMetrics {
  readonly metrics: readonly Metric[]
  readonly #owner: object
  readonly #log: FastifyBaseLogger
  readonly #refusals: LabelSets<Inc>
  readonly #rateLimitHits: LabelSets<Inc>
  readonly #shadowHits: LabelSets<Inc>
  readonly #authAttempts: LabelSets<Inc>
  readonly #violations: LabelSets<Inc>
  readonly #breakerState: LabelSets<Settable>
  readonly #breakerTransitions: LabelSets<Inc>
  readonly #shedding: Gauge
  readonly #listeners: [string, (message: unknown, name: string | symbol) => void][] = []
  #failed = false

  constructor({ names, maxLabelSets, log, owner }: EventMetricsOptions) {
    this.#owner = owner
    this.#log = log
    const overflow = (name: string) => () =>
      log.warn(
        `@rampart/metrics: ${name} reached maxLabelSets (${maxLabelSets}); new label sets are counted as "other"`,
      )
    const counter = (name: string, help: string, labelNames: string[]): [Counter, LabelSets<Inc>] => {
      const metric = new Counter({ name, help, labelNames, registers: [] })
      return [metric, new LabelSets<Inc>(labelNames.length, maxLabelSets, (v) => metric.labels(...v), overflow(name))]
    }
    const [refusals, refusalSets] = counter(names.refusals, 'Refusals sent by Rampart plugins, by package and code', [
      'source',
      'code',
      'status',
    ])
    const [hits, hitSets] = counter(names.rateLimitHits, 'Requests refused by a rate-limit policy', [
      'route',
      'client_type',
    ])
    const [shadow, shadowSets] = counter(
      names.rateLimitShadowHits,
      'Requests a shadow-mode rate-limit policy would have refused',
      ['route', 'client_type'],
    )
    const [auth, authSets] = counter(names.authAttempts, 'Authentication outcomes by result and strategy', [
      'result',
      'method',
    ])
    const [violations, violationSets] = counter(
      names.securityViolations,
      'Security violations detected or refused, by type and severity',
      ['type', 'severity'],
    )
    const [transitions, transitionSets] = counter(
      names.circuitBreakerTransitions,
      'Circuit breaker state changes, by route and new state',
      ['route', 'to'],
    )
    const breakerState = new Gauge({
      name: names.circuitBreakerState,
      help: 'Circuit breaker state per route: 0 closed, 1 half-open, 2 open',
      labelNames: ['route'],
      registers: [],
    })
    this.#shedding = new Gauge({
      name: names.ddosShedding,
      help: 'DDoS load shedding level: 0 none, 1 anonymous requests shed, 2 every request shed',
      registers: [],
    })
    this.#refusals = refusalSets
    this.#rateLimitHits = hitSets
    this.#shadowHits = shadowSets
    this.#authAttempts = authSets
    this.#violations = violationSets
    this.#breakerState = new LabelSets<Settable>(
      1,
      maxLabelSets,
      (v) => breakerState.labels(...v),
      overflow(names.circuitBreakerState),
    )
    this.#breakerTransitions = transitionSets
    this.metrics = [refusals, hits, shadow, auth, violations, breakerState, transitions, this.#shedding]
  }

  /** Subscribes this instance's listeners to every channel. */
  subscribe(): void {
    const on = (name: string, handle: (message: LooseMessage) => void): void => {
      const listener = (message: unknown): void => {
        if (!isObject(message)) return
        try {
          handle(message)
        } catch (error) {
          // a throwing subscriber would surface as an uncaught exception in the publisher's request
          if (!this.#failed) {
            this.#failed = true
            this.#log.error({ err: error, channel: name }, '@rampart/metrics: an event could not be counted')
          }
        }
      }
      diagnosticsChannel.subscribe(name, listener)
      this.#listeners.push([name, listener])
    }
    on(SUBSCRIBED_CHANNELS.refusal, (message) => this.#onRefusal(message))
    on(SUBSCRIBED_CHANNELS.rateLimitExceeded, (message) => this.#onRateLimitExceeded(message))
    on(SUBSCRIBED_CHANNELS.authAuthenticated, (message) => this.#onAuthenticated(message, label(message.strategy)))
    on(SUBSCRIBED_CHANNELS.authFailed, (message) => this.#onAuthFailed(message, label(message.strategy, 'none')))
    on(SUBSCRIBED_CHANNELS.apiKeyAuthenticated, (message) => this.#onAuthenticated(message, 'api-key'))
    on(SUBSCRIBED_CHANNELS.apiKeyFailed, (message) => this.#onAuthFailed(message, 'api-key'))
    on(SUBSCRIBED_CHANNELS.shieldDetected, (message) => this.#onShieldDetected(message))
    on(SUBSCRIBED_CHANNELS.circuitBreakerState, (message) => this.#onCircuitBreakerState(message))
    on(SUBSCRIBED_CHANNELS.ddosShedding, (message) => this.#onShedding(message))
  }

  /** Removes this instance's listeners; other apps' stay. */
  unsubscribe(): void {
    for (const [name, listener] of this.#listeners) diagnosticsChannel.unsubscribe(name, listener)
    this.#listeners.length = 0
  }

  /** The request of a message, when it belongs to this app. */
  #ownRequest(message: LooseMessage): FastifyRequest | undefined {
    const request = message.request
    if (!isObject(request)) return undefined
    const server = (request as unknown as FastifyRequest).server as unknown as LooseMessage | undefined
    return server?.rampartMetrics === this.#owner ? (request as unknown as FastifyRequest) : undefined
  }

  /**
   * Whether a state message (no request needed) is this app's: by its `request` or `server` when it
   * has one; a message with neither cannot be attributed and is recorded by every app.
   */
  #ownState(message: LooseMessage): boolean {
    if (isObject(message.request)) return this.#ownRequest(message) !== undefined
    const server = message.server
    if (isObject(server)) return server.rampartMetrics === this.#owner
    return true
  }

  #onRefusal(message: LooseMessage): void {
    if (this.#ownRequest(message) === undefined) return
    const source = label(message.source)
    const code = label(message.code)
    this.#refusals.get([source, code, label(message.status)]).inc()
    const violation = refusalViolation(source, code)
    if (violation !== undefined) this.#violations.get([violation.type, violation.severity]).inc()
  }

  #onRateLimitExceeded(message: LooseMessage): void {
    const request = this.#ownRequest(message)
    if (request === undefined) return
    // one request can exceed several policies: it is one hit
    const shadow = message.shadow === true
    if (!setOnce(request, shadow ? SHADOW_HIT_COUNTED : RATE_LIMIT_COUNTED)) return
    const labels = [routePattern(request) ?? UNMATCHED_ROUTE, clientType(request)]
    ;(shadow ? this.#shadowHits : this.#rateLimitHits).get(labels).inc()
  }

  #onAuthenticated(message: LooseMessage, method: string): void {
    if (this.#ownRequest(message) === undefined) return
    this.#authAttempts.get(['success', method]).inc()
  }

  #onAuthFailed(message: LooseMessage, method: string): void {
    if (this.#ownRequest(message) === undefined) return
    const reason = typeof message.reason === 'string' ? message.reason : ''
    const result = Object.hasOwn(FAILURE_RESULTS, reason) ? (FAILURE_RESULTS[reason] as string) : 'failed'
    this.#authAttempts.get([result, method]).inc()
  }

  #onShieldDetected(message: LooseMessage): void {
    if (this.#ownRequest(message) === undefined) return
    this.#violations.get([label(message.type), label(message.severity)]).inc()
  }

  #onCircuitBreakerState(message: LooseMessage): void {
    if (!this.#ownState(message)) return
    const route = label(message.route)
    const to = label(message.to)
    this.#breakerTransitions.get([route, to]).inc()
    const value = Object.hasOwn(CIRCUIT_STATES, to) ? CIRCUIT_STATES[to] : undefined
    if (value !== undefined) this.#breakerState.get([route]).set(value)
  }

  #onShedding(message: LooseMessage): void {
    if (!this.#ownState(message)) return
    const level = message.level
    if (level === 0 || level === 1 || level === 2) this.#shedding.set(level)
    else if (typeof message.active === 'boolean') this.#shedding.set(message.active ? 1 : 0)
  }
}

/** `client_type` of a request: the kind of `request.identity` (`user`, `api-key`, `service`), else `anonymous`. */
function clientType(request: FastifyRequest): string {
  const identity = request.identity as unknown
  return isObject(identity) ? label(identity.kind, 'anonymous') : 'anonymous'
}

import diagnosticsChannel from 'node:diagnostics_channel'
import { getClientAddress } from '@rampart/core'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import type { AuditLog } from './audit-log.js'
import type { ResolvedCapture } from './options.js'
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditRecord } from './record.js'
import { RepeatSuppressor } from './repeat-suppressor.js'

/** The channels read, by name: audit imports none of the packages that publish them. */
export const CAPTURED_CHANNELS = Object.freeze({
  authenticated: ['rampart:auth:authenticated', 'rampart:api-key:authenticated'],
  authFailures: ['rampart:auth:failed', 'rampart:api-key:failed'],
  refusals: ['rampart:core:refusal'],
  shield: ['rampart:shield:detected'],
})

const MAX_WINDOWS = 10_000

type Message = Record<string, unknown>
type Handler = (message: Message, request: FastifyRequest) => void

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : null
}

function clientIp(request: FastifyRequest): string {
  try {
    return getClientAddress(request).ip
  } catch {
    return ''
  }
}

function requestLine(request: FastifyRequest): { method: string | null; url: string | null } {
  return { method: text(request.method), url: text(request.url) }
}

/**
 * Records the suite's events from their diagnostics channels. Messages are read defensively
 * (the publishing packages evolve on their own): a message without a request of this app, or with
 * fields of unexpected types, is skipped or recorded with what is there, never thrown on.
 */
export class ChannelCapture {
  readonly #fastify: FastifyInstance
  readonly #settings: ResolvedCapture
  readonly #audit: AuditLog
  readonly #log: FastifyBaseLogger
  readonly #suppressor: RepeatSuppressor
  readonly #subscriptions: [string, (message: unknown) => void][] = []
  #sweeper: NodeJS.Timeout | null = null

  constructor(
    fastify: FastifyInstance,
    settings: ResolvedCapture,
    audit: AuditLog,
    log: FastifyBaseLogger,
    now: () => number,
  ) {
    this.#fastify = fastify
    this.#settings = settings
    this.#audit = audit
    this.#log = log
    this.#suppressor = new RepeatSuppressor(settings.repeatWindow, MAX_WINDOWS, now, (first, count, lastAt) =>
      this.#summarize(first, count, lastAt),
    )
  }

  /** Subscribes to the enabled channels. */
  start(): void {
    const settings = this.#settings
    if (settings.authenticated) {
      for (const name of CAPTURED_CHANNELS.authenticated)
        this.#on(name, (message, request) => this.#authenticated(name, message, request))
    }
    if (settings.authFailures) {
      for (const name of CAPTURED_CHANNELS.authFailures)
        this.#on(name, (message, request) => this.#authFailed(name, message, request))
    }
    if (settings.refusals !== false) {
      for (const name of CAPTURED_CHANNELS.refusals)
        this.#on(name, (message, request) => this.#refusal(message, request))
    }
    if (settings.shield) {
      for (const name of CAPTURED_CHANNELS.shield) this.#on(name, (message, request) => this.#shield(message, request))
    }
    if (settings.repeatWindow > 0 && this.#subscriptions.length > 0) {
      this.#sweeper = setInterval(() => this.#suppressor.sweep(), Math.max(settings.repeatWindow, 1_000))
      this.#sweeper.unref()
    }
  }

  /** Unsubscribes, and records the counts of the repeat windows still open. */
  stop(): void {
    for (const [name, listener] of this.#subscriptions) diagnosticsChannel.unsubscribe(name, listener)
    this.#subscriptions.length = 0
    if (this.#sweeper !== null) clearInterval(this.#sweeper)
    this.#sweeper = null
    this.#suppressor.sweep(true)
  }

  /** Ends the repeat windows that are over (the periodic sweep does this too). */
  sweep(): void {
    this.#suppressor.sweep()
  }

  #on(name: string, handler: Handler): void {
    const server = this.#fastify.server
    const listener = (message: unknown): void => {
      // A subscriber that throws would surface as an uncaught exception: never let one escape.
      try {
        if (message === null || typeof message !== 'object') return
        const request = (message as { request?: unknown }).request as FastifyRequest | undefined
        // Channels are process-wide: keep only requests of this app (any of its encapsulated contexts).
        if (request === null || typeof request !== 'object' || request.server?.server !== server) return
        handler(message as Message, request)
      } catch (error) {
        this.#log.warn({ err: error, channel: name }, 'audit: could not record an event')
      }
    }
    diagnosticsChannel.subscribe(name, listener)
    this.#subscriptions.push([name, listener])
  }

  /** Records `event` unless it repeats one recorded within the repeat window. */
  #incident(key: string, event: AuditEvent, request: FastifyRequest): void {
    if (this.#suppressor.isRepeat(key)) return
    const record = this.#audit.record(event, request)
    this.#suppressor.opened(key, record)
  }

  #authenticated(name: string, message: Message, request: FastifyRequest): void {
    const identity = message.identity as { id?: unknown; kind?: unknown } | null | undefined
    const strategy = text(message.strategy) ?? (name.includes(':api-key:') ? 'api-key' : null)
    this.#audit.record(
      {
        eventType: AUDIT_EVENT_TYPES.authentication,
        action: 'authenticate',
        status: 'success',
        userId: text(identity?.id) ?? undefined,
        details: {
          strategy,
          kind: text(identity?.kind),
          key_id: text(message.keyId) ?? undefined,
          ...requestLine(request),
        },
      },
      request,
    )
  }

  #authFailed(name: string, message: Message, request: FastifyRequest): void {
    const strategy = text(message.strategy) ?? (name.includes(':api-key:') ? 'api-key' : null)
    const reason = text(message.reason)
    this.#incident(
      `auth|${clientIp(request)}|${strategy}|${reason}`,
      {
        eventType: AUDIT_EVENT_TYPES.authentication,
        action: 'authenticate',
        status: 'failure',
        details: { strategy, reason, description: text(message.description), ...requestLine(request) },
      },
      request,
    )
  }

  #refusal(message: Message, request: FastifyRequest): void {
    const settings = this.#settings.refusals
    if (settings === false) return
    const source = text(message.source)
    const code = text(message.code)
    const status = typeof message.status === 'number' ? message.status : null
    if (source !== null && settings.ignoreSources.has(source)) return
    if (!(status !== null && settings.statuses.has(status)) && !(code !== null && settings.codes.has(code))) return
    this.#incident(
      `refusal|${clientIp(request)}|${code}`,
      {
        eventType: AUDIT_EVENT_TYPES.securityIncident,
        action: 'refuse',
        status: 'alert',
        details: { incident_type: 'refusal', source, code, status_code: status, ...requestLine(request) },
      },
      request,
    )
  }

  #shield(message: Message, request: FastifyRequest): void {
    const rule = text(message.rule)
    const mode = text(message.mode)
    this.#incident(
      `shield|${clientIp(request)}|${rule}`,
      {
        eventType: AUDIT_EVENT_TYPES.securityIncident,
        action: mode === 'block' ? 'block' : 'detect',
        status: 'alert',
        details: {
          incident_type: 'suspicious_request',
          rule,
          type: text(message.type),
          severity: text(message.severity),
          mode,
          ...requestLine(request),
        },
      },
      request,
    )
  }

  /** One record for the repeats of a window: the first record's fields, and how many, until when. */
  #summarize(first: AuditRecord, count: number, lastAt: number): void {
    try {
      this.#audit.record({
        eventType: first.event_type,
        userId: first.user_id,
        ipAddress: first.ip_address,
        userAgent: first.user_agent,
        resourceType: first.resource_type,
        resourceId: first.resource_id,
        action: first.action,
        status: first.status,
        details: {
          ...first.details,
          repeated: { count, of: first.id, last_at: new Date(lastAt).toISOString() },
        },
      })
    } catch (error) {
      this.#log.warn({ err: error }, 'audit: could not record a repeat summary')
    }
  }
}

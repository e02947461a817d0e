import { randomUUID } from 'node:crypto'
import { getClientAddress } from '@rampart/core'
import type { FastifyRequest } from 'fastify'
import { InvalidEventError } from './errors.js'
import type { Redactor } from './redact.js'

/** The event types the suite records; any other short name may be used for your own events. */
export const AUDIT_EVENT_TYPES = Object.freeze({
  /** A login or credential check, successful or not. */
  authentication: 'authentication',
  /** A user read or changed a resource. */
  resourceAccess: 'resource_access',
  /** Something that looks like an attack: a refusal, a shield detection. */
  securityIncident: 'security_incident',
  /** An administrator changed users, roles, configuration. */
  adminAction: 'admin_action',
} as const)

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[keyof typeof AUDIT_EVENT_TYPES] | (string & {})

/** `success` and `failure` for attempts and actions, `alert` for security incidents (as in the seed). */
export type AuditStatus = 'success' | 'failure' | 'alert' | (string & {})

/**
 * What to record: the fields of the seed's `AuditEvent`, plus the request id. Fields left out are
 * filled from the request when there is one (client IP, user agent, request id, user id, session
 * id), otherwise `null`.
 */
export interface AuditEvent {
  /** `authentication`, `resource_access`, `security_incident`, `admin_action`, or your own (<= 64 chars). */
  eventType: AuditEventType
  /** Who acted. Default: `request.identity.id`. */
  userId?: string | number | null
  /** Default: the client address resolved by @rampart/core (trusted-proxy aware). */
  ipAddress?: string | null
  /** Default: the request's `User-Agent`, cut to `maxUserAgentLength`. */
  userAgent?: string | null
  /** `user`, `post`, `file`, ... */
  resourceType?: string | null
  resourceId?: string | number | null
  /** `create`, `read`, `update`, `delete`, `login`, ... */
  action?: string | null
  /** Default `success`. */
  status?: AuditStatus
  /** Anything else worth keeping. Secrets are redacted (see `redactKeys`); the value is copied. */
  details?: Readonly<Record<string, unknown>> | null
  /** Default: the session id given by the `sessionId` option. */
  sessionId?: string | null
  /** Default: `request.id`. */
  requestId?: string | null
  /** When it happened. Default: now (the `now` option). */
  timestamp?: Date
}

/**
 * A record as stored: the same fields with the seed's column names, every one present (`null`
 * when unknown), plus a unique `id`. The JSON-lines sink adds `prev_hash` and `hash`.
 */
export interface AuditRecord {
  /** Random UUID; PostgreSQL inserts are idempotent on it, so a retried batch never duplicates. */
  readonly id: string
  /** ISO 8601, UTC, milliseconds: when the event was recorded (not when it was written). */
  readonly timestamp: string
  readonly event_type: string
  readonly user_id: string | null
  readonly ip_address: string | null
  readonly user_agent: string | null
  readonly resource_type: string | null
  readonly resource_id: string | null
  readonly action: string | null
  readonly status: string
  readonly details: Readonly<Record<string, unknown>>
  readonly session_id: string | null
  readonly request_id: string | null
}

/** The columns of a record, in storage order. */
export const RECORD_FIELDS: readonly (keyof AuditRecord)[] = Object.freeze([
  'id',
  'timestamp',
  'event_type',
  'user_id',
  'ip_address',
  'user_agent',
  'resource_type',
  'resource_id',
  'action',
  'status',
  'details',
  'session_id',
  'request_id',
])

/** Reads a session id from a request (never the session cookie itself: a session id is a credential). */
export type SessionIdReader = (request: FastifyRequest) => string | null | undefined

export interface RecordBuilderSettings {
  readonly redactor: Redactor
  readonly maxUserAgentLength: number
  readonly maxStringLength: number
  readonly sessionId: SessionIdReader | undefined
  readonly now: () => number
}

const EVENT_KEYS = new Set([
  'eventType',
  'userId',
  'ipAddress',
  'userAgent',
  'resourceType',
  'resourceId',
  'action',
  'status',
  'details',
  'sessionId',
  'requestId',
  'timestamp',
])
const EMPTY_DETAILS: Readonly<Record<string, unknown>> = Object.freeze({})

/** Turns events (and the request they are about) into complete, redacted, storable records. */
export class RecordBuilder {
  readonly #settings: RecordBuilderSettings

  constructor(settings: RecordBuilderSettings) {
    this.#settings = settings
  }

  /** Throws `RAMPART_AUDIT_INVALID_EVENT` for something that is not an `AuditEvent`. */
  build(event: AuditEvent, request: FastifyRequest | null): AuditRecord {
    if (event === null || typeof event !== 'object') throw new InvalidEventError('an audit event must be an object')
    for (const key of Object.keys(event)) {
      if (!EVENT_KEYS.has(key)) throw new InvalidEventError(`"${key}" is not a field of an audit event`)
    }
    const type = event.eventType
    if (typeof type !== 'string' || type.length === 0 || type.length > 64) {
      throw new InvalidEventError('eventType must be a string of 1 to 64 characters')
    }
    const details = event.details
    if (details !== undefined && details !== null && (typeof details !== 'object' || Array.isArray(details))) {
      throw new InvalidEventError('details must be an object')
    }
    const timestamp = event.timestamp
    if (timestamp !== undefined && (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime()))) {
      throw new InvalidEventError('timestamp must be a valid Date')
    }
    const settings = this.#settings
    const fromRequest = request === null ? undefined : requestFields(request, settings.sessionId)
    return {
      id: randomUUID(),
      timestamp: (timestamp ?? new Date(settings.now())).toISOString(),
      event_type: this.#text('eventType', type) as string,
      user_id: this.#text('userId', pick(event.userId, fromRequest?.userId)),
      ip_address: this.#text('ipAddress', pick(event.ipAddress, fromRequest?.ipAddress)),
      user_agent: this.#text('userAgent', pick(event.userAgent, fromRequest?.userAgent), settings.maxUserAgentLength),
      resource_type: this.#text('resourceType', event.resourceType),
      resource_id: this.#text('resourceId', event.resourceId),
      action: this.#text('action', event.action),
      status: this.#text('status', event.status ?? 'success') as string,
      details: details ? settings.redactor.details(details) : EMPTY_DETAILS,
      session_id: this.#text('sessionId', pick(event.sessionId, fromRequest?.sessionId)),
      request_id: this.#text('requestId', pick(event.requestId, fromRequest?.requestId)),
    }
  }

  #text(field: string, value: unknown, max: number = this.#settings.maxStringLength): string | null {
    if (value === undefined || value === null) return null
    if (typeof value === 'number' && Number.isFinite(value)) return String(value)
    if (typeof value !== 'string') throw new InvalidEventError(`${field} must be a string`)
    return value.length === 0 ? null : this.#settings.redactor.string(value, max)
  }
}

function pick<T>(given: T | undefined, fallback: T | undefined): T | undefined {
  return given === undefined ? fallback : given
}

interface RequestFields {
  userId: string | undefined
  ipAddress: string | undefined
  userAgent: string | undefined
  sessionId: string | null | undefined
  requestId: string | undefined
}

/** What a request tells about itself; read defensively (a request from any plugin, in any state). */
function requestFields(request: FastifyRequest, sessionId: SessionIdReader | undefined): RequestFields {
  let ipAddress: string | undefined
  try {
    ipAddress = getClientAddress(request).ip
  } catch {
    ipAddress = undefined
  }
  const agent = request.headers?.['user-agent']
  const id = request.identity?.id
  let session: string | null | undefined
  if (sessionId !== undefined) {
    try {
      const value = sessionId(request)
      session = typeof value === 'string' ? value : null
    } catch {
      session = null
    }
  }
  return {
    userId: typeof id === 'string' || typeof id === 'number' ? String(id) : undefined,
    ipAddress: ipAddress === '' ? undefined : ipAddress,
    userAgent: typeof agent === 'string' ? agent : undefined,
    sessionId: session,
    requestId: typeof request.id === 'string' ? request.id : undefined,
  }
}

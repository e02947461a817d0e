import type { FastifyRequest } from 'fastify'
import type { AuditBuffer, AuditStats } from './buffer.js'
import { recordedChannel } from './diagnostics.js'
import { InvalidEventError } from './errors.js'
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditRecord, type AuditStatus, type RecordBuilder } from './record.js'

/** `fastify.audit.authentication(request, attempt)`: a login or credential check. */
export interface AuthenticationAttempt {
  success: boolean
  /** The name tried (kept in `details.username`; never the password). */
  username?: string
  /** `password`, `mfa`, `api-key`, ... (kept in `details.method`). */
  method?: string
  /** Default `'login'`. */
  action?: string
  /** Who it turned out to be, on success. Default: `request.identity.id`. */
  userId?: string | number | null
  details?: Readonly<Record<string, unknown>>
}

/** `fastify.audit.resourceAccess(request, access)`: a user read or changed something. */
export interface ResourceAccess {
  resourceType: string
  resourceId?: string | number | null
  /** `create`, `read`, `update`, `delete`, ... */
  action: string
  /** Default `'success'`. */
  status?: AuditStatus
  details?: Readonly<Record<string, unknown>>
}

/** `fastify.audit.securityIncident(request, incident)`: something that looks like an attack. */
export interface SecurityIncident {
  /** Kept in `details.incident_type`, as in the seed. */
  incidentType: string
  /** Default `'detect'`. */
  action?: string
  /** Default `'alert'`. */
  status?: AuditStatus
  details?: Readonly<Record<string, unknown>>
}

/** `fastify.audit.adminAction(request, action)`: an administrator changed something. */
export interface AdminAction {
  /** `create-user`, `grant-role`, `revoke-key`, ... */
  action: string
  resourceType?: string
  resourceId?: string | number | null
  /** Default `'success'`. */
  status?: AuditStatus
  details?: Readonly<Record<string, unknown>>
}

/** `fastify.audit`: record events; records are buffered and written by the configured sink. */
export interface Audit {
  /**
   * Records an event. Fields left out are filled from `request` (client IP, user agent, request
   * id, `request.identity.id`, session id). Returns the record, as stored. Never throws for a
   * failing sink; throws `RAMPART_AUDIT_INVALID_EVENT` for something that is not an event.
   */
  record(event: AuditEvent, request?: FastifyRequest | null): AuditRecord
  authentication(request: FastifyRequest | null, attempt: AuthenticationAttempt): AuditRecord
  resourceAccess(request: FastifyRequest | null, access: ResourceAccess): AuditRecord
  securityIncident(request: FastifyRequest | null, incident: SecurityIncident): AuditRecord
  adminAction(request: FastifyRequest | null, action: AdminAction): AuditRecord
  /** Writes what is buffered now; true when it all reached the sink within `timeout` ms (default 5,000). */
  flush(timeout?: number): Promise<boolean>
  stats(): AuditStats
}

declare module 'fastify' {
  interface FastifyInstance {
    /** @rampart/audit */
    audit: Audit
  }
}

function withDetails(
  details: Readonly<Record<string, unknown>> | undefined,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  if (details === undefined) return extra
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    throw new InvalidEventError('details must be an object')
  }
  return { ...extra, ...details }
}

/** The `fastify.audit` object: builds records and hands them to the buffer. */
export class AuditLog implements Audit {
  readonly #builder: RecordBuilder
  readonly #buffer: AuditBuffer

  constructor(builder: RecordBuilder, buffer: AuditBuffer) {
    this.#builder = builder
    this.#buffer = buffer
  }

  record(event: AuditEvent, request: FastifyRequest | null = null): AuditRecord {
    const record = this.#builder.build(event, request)
    if (this.#buffer.push(record) && recordedChannel.hasSubscribers) recordedChannel.publish({ record, request })
    return record
  }

  authentication(request: FastifyRequest | null, attempt: AuthenticationAttempt): AuditRecord {
    const extra: Record<string, unknown> = {}
    if (attempt.username !== undefined) extra.username = attempt.username
    if (attempt.method !== undefined) extra.method = attempt.method
    return this.record(
      {
        eventType: AUDIT_EVENT_TYPES.authentication,
        action: attempt.action ?? 'login',
        status: attempt.success ? 'success' : 'failure',
        userId: attempt.userId,
        details: withDetails(attempt.details, extra),
      },
      request,
    )
  }

  resourceAccess(request: FastifyRequest | null, access: ResourceAccess): AuditRecord {
    return this.record(
      {
        eventType: AUDIT_EVENT_TYPES.resourceAccess,
        resourceType: access.resourceType,
        resourceId: access.resourceId,
        action: access.action,
        status: access.status ?? 'success',
        details: access.details,
      },
      request,
    )
  }

  securityIncident(request: FastifyRequest | null, incident: SecurityIncident): AuditRecord {
    return this.record(
      {
        eventType: AUDIT_EVENT_TYPES.securityIncident,
        action: incident.action ?? 'detect',
        status: incident.status ?? 'alert',
        details: withDetails(incident.details, { incident_type: incident.incidentType }),
      },
      request,
    )
  }

  adminAction(request: FastifyRequest | null, action: AdminAction): AuditRecord {
    return this.record(
      {
        eventType: AUDIT_EVENT_TYPES.adminAction,
        action: action.action,
        resourceType: action.resourceType,
        resourceId: action.resourceId,
        status: action.status ?? 'success',
        details: action.details,
      },
      request,
    )
  }

  flush(timeout = 5_000): Promise<boolean> {
    return this.#buffer.flush(timeout)
  }

  stats(): AuditStats {
    return this.#buffer.stats()
  }
}

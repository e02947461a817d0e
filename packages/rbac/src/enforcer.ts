import { type Identity, type ProblemDetails, RefusalError, sendProblem } from '@rampart/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Authorizer } from './authorizer.js'
import { deniedChannel, grantedChannel } from './diagnostics.js'
import { FORBIDDEN, UNAUTHENTICATED } from './errors.js'
import type { Grants } from './roles.js'
import { type CompiledRule, holdsPermission, missingOf, type RuleMode, type RuleSubject, satisfies } from './rule.js'

/** What the enforcer needs from the resolved options. */
export interface EnforcerSettings {
  readonly wildcards: boolean
  readonly exposeMissing: boolean
  readonly challenge: string | null
}

/** How `assertOwnership` let the request through. */
export type OwnershipGrant = 'owner' | 'permission'

/** Options of `assertOwnership`. */
export interface OwnershipOptions {
  /** A permission (or several, any of them) that stands in for ownership: `'update:users'`. */
  orPermission?: string | readonly string[]
}

const NONE: readonly string[] = Object.freeze([])

/** `request.identity` when it is one; anything else (null, a stray value) is anonymous. */
export function identityOf(request: FastifyRequest): Identity | null {
  const identity = request.identity
  return identity !== null && typeof identity === 'object' ? identity : null
}

function describe(subject: RuleSubject | 'ownership', mode: RuleMode, missing: readonly string[]): string {
  if (subject === 'roles') return `Requires ${mode === 'any' ? 'one of the roles' : 'the roles'}: ${missing.join(', ')}`
  if (subject === 'ownership') {
    return missing.length === 0
      ? 'Only the owner may do this'
      : `Only the owner, or an identity with ${missing.join(' or ')}, may do this`
  }
  return `${mode === 'any' ? 'Requires one of the permissions' : 'Missing permissions'}: ${missing.join(', ')}`
}

/** Decides requests against compiled rules and builds the 401/403 refusals. */
export class Enforcer {
  readonly authorizer: Authorizer
  readonly #settings: EnforcerSettings
  readonly #unauthenticated: ProblemDetails

  constructor(authorizer: Authorizer, settings: EnforcerSettings) {
    this.authorizer = authorizer
    this.#settings = settings
    this.#unauthenticated = Object.freeze({
      detail: 'Authentication required',
      ...(settings.challenge === null ? {} : { headers: Object.freeze({ 'www-authenticate': settings.challenge }) }),
    })
  }

  /** `undefined` when the request may go on; otherwise the reply, refused (401 or 403). */
  enforce(request: FastifyRequest, reply: FastifyReply, rule: CompiledRule): FastifyReply | undefined {
    const identity = identityOf(request)
    if (identity === null) {
      this.#denied(request, 'unauthenticated', rule.subject, rule.mode, rule.required, rule.required, null)
      return sendProblem(reply, UNAUTHENTICATED, this.#unauthenticated)
    }
    const grants = this.authorizer.grantsOf(identity)
    if (satisfies(grants, rule)) {
      if (grantedChannel.hasSubscribers) {
        grantedChannel.publish({ request, subject: rule.subject, required: rule.required, identityId: identity.id })
      }
      return undefined
    }
    const missing = missingOf(grants, rule)
    this.#denied(request, 'forbidden', rule.subject, rule.mode, rule.required, missing, identity.id)
    return sendProblem(reply, FORBIDDEN, this.#forbidden(rule.subject, rule.mode, missing))
  }

  /** Lets the owner (`identity.id` equal to `ownerId`) or a holder of `orPermission` through; throws otherwise. */
  assertOwnership(request: FastifyRequest, ownerId: unknown, options: OwnershipOptions = {}): OwnershipGrant {
    const orPermission = options.orPermission
    const permissions =
      orPermission === undefined ? NONE : typeof orPermission === 'string' ? [orPermission] : orPermission
    const identity = identityOf(request)
    if (identity === null) {
      this.#denied(request, 'unauthenticated', 'ownership', 'any', permissions, permissions, null)
      throw new RefusalError(UNAUTHENTICATED, this.#unauthenticated)
    }
    if (isOwner(identity, ownerId)) {
      this.#granted(request, NONE, identity)
      return 'owner'
    }
    const grants = this.authorizer.grantsOf(identity)
    for (const permission of permissions) {
      if (typeof permission === 'string' && holdsPermission(grants, permission, this.#settings.wildcards)) {
        this.#granted(request, permissions, identity)
        return 'permission'
      }
    }
    this.#denied(request, 'forbidden', 'ownership', 'any', permissions, permissions, identity.id)
    throw new RefusalError(FORBIDDEN, this.#forbidden('ownership', 'any', permissions))
  }

  /** Whether the identity holds the permission (roles, scopes, and wildcards when on). */
  can(identity: Identity | null | undefined, permission: string): boolean {
    if (identity === null || identity === undefined || typeof identity !== 'object') return false
    return holdsPermission(this.authorizer.grantsOf(identity), permission, this.#settings.wildcards)
  }

  /** The grants of an identity, or `null` for none. */
  grantsOf(identity: Identity | null | undefined): Grants | null {
    if (identity === null || identity === undefined || typeof identity !== 'object') return null
    return this.authorizer.grantsOf(identity)
  }

  #forbidden(subject: RuleSubject | 'ownership', mode: RuleMode, missing: readonly string[]): ProblemDetails {
    if (!this.#settings.exposeMissing) {
      return { detail: subject === 'ownership' ? 'Not allowed on this resource' : 'Insufficient permissions' }
    }
    return { detail: describe(subject, mode, missing), extensions: { missing } }
  }

  #granted(request: FastifyRequest, required: readonly string[], identity: Identity): void {
    if (grantedChannel.hasSubscribers) {
      grantedChannel.publish({ request, subject: 'ownership', required, identityId: identity.id })
    }
  }

  #denied(
    request: FastifyRequest,
    reason: 'unauthenticated' | 'forbidden',
    subject: RuleSubject | 'ownership',
    mode: RuleMode,
    required: readonly string[],
    missing: readonly string[],
    identityId: string | null,
  ): void {
    if (deniedChannel.hasSubscribers) {
      deniedChannel.publish({ request, reason, subject, mode, required, missing, identityId })
    }
  }
}

/**
 * Whether the identity is the owner: `ownerId` a string or a finite number (a database id) equal
 * to `identity.id`. Anything else (`undefined`, `null`, an object) owns nothing.
 */
function isOwner(identity: Identity, ownerId: unknown): boolean {
  if (typeof identity.id !== 'string' || identity.id.length === 0) return false
  if (typeof ownerId === 'string') return ownerId === identity.id
  if ((typeof ownerId === 'number' && Number.isFinite(ownerId)) || typeof ownerId === 'bigint') {
    return String(ownerId) === identity.id
  }
  return false
}

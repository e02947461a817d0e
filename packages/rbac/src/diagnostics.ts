import { EventChannel, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'
import type { RuleMode, RuleSubject } from './rule.js'

/** `rampart:rbac:denied`: a request was refused, 401 (no identity) or 403. */
export interface DeniedEvent extends RequestEvent {
  /** `'unauthenticated'` (401, no identity) or `'forbidden'` (403). */
  reason: 'unauthenticated' | 'forbidden'
  /** What was checked: `'permissions'`, `'roles'` or `'ownership'`. */
  subject: RuleSubject | 'ownership'
  /** `'all'` (every one required) or `'any'` (one is enough). */
  mode: RuleMode
  /** The permissions (or roles) the rule requires. */
  required: readonly string[]
  /** Those the identity lacks (with `mode: 'any'`, all of them); `required` on a 401. */
  missing: readonly string[]
  /** `request.identity.id`, `null` on a 401. */
  identityId: string | null
}

/** `rampart:rbac:granted`: a rule passed (published only while someone subscribes). */
export interface GrantedEvent extends RequestEvent {
  /** What was checked: `'permissions'`, `'roles'` or `'ownership'`. */
  subject: RuleSubject | 'ownership'
  /** The permissions (or roles) the rule requires; for ownership, `[]` when the identity owns the resource. */
  required: readonly string[]
  /** `request.identity.id`. */
  identityId: string
}

export const deniedChannel: EventChannel<DeniedEvent> = new EventChannel<DeniedEvent>(PACKAGE, 'denied')
export const grantedChannel: EventChannel<GrantedEvent> = new EventChannel<GrantedEvent>(PACKAGE, 'granted')

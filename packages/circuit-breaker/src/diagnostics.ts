import { EventChannel, type RequestEvent } from '@rampart/core'
import type { CircuitState, TransitionReason } from './circuit-breaker.js'
import { PACKAGE } from './errors.js'

/**
 * `rampart:circuit-breaker:state`: a route's circuit changed state. Not about one request: a
 * transition can follow a request, the recovery timeout (seen on the next request or snapshot), or
 * a probe that never came back.
 */
export interface StateEvent {
  /** The breaker's route label, e.g. `GET /api/users/:id`. */
  route: string
  from: CircuitState
  to: CircuitState
  reason: TransitionReason
}

/** `rampart:circuit-breaker:rejected`: a request was refused with 503 because its route's circuit is not closed. */
export interface RejectedEvent extends RequestEvent {
  /** The breaker's route label, e.g. `GET /api/users/:id`. */
  route: string
  /** `open`, or `half-open` when every probe slot was taken. */
  state: Exclude<CircuitState, 'closed'>
}

export const stateChannel: EventChannel<StateEvent> = new EventChannel<StateEvent>(PACKAGE, 'state')
export const rejectedChannel: EventChannel<RejectedEvent> = new EventChannel<RejectedEvent>(PACKAGE, 'rejected')

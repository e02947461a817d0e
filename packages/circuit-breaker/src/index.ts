export type {
  CircuitSnapshot,
  CircuitState,
  TransitionReason,
} from './circuit-breaker.js'
export { type RejectedEvent, rejectedChannel, type StateEvent, stateChannel } from './diagnostics.js'
export { OPEN, PACKAGE, TIMEOUT } from './errors.js'
export {
  type BreakerOptions,
  type CircuitBreakerOptions,
  DEFAULTS,
  type FailurePredicate,
  type ResolvedBreakerOptions,
  type ResolvedCircuitBreakerOptions,
  resolveOptions,
} from './options.js'
export { type CircuitBreakerRegistry, default, rampartCircuitBreaker } from './plugin.js'
export { type CircuitBreakerRouteOptions, routeLabel } from './route-config.js'

/**
 * The channels @rampart/metrics subscribes to. It publishes none. It subscribes by name
 * (`diagnostics_channel.subscribe(name, listener)`), never by importing the publishing package, and
 * reads every field defensively: a message missing a field is counted with `unknown`, never throws.
 */
export const SUBSCRIBED_CHANNELS = Object.freeze({
  /** `{ request, status, code, source }`: every refusal sent through core's `sendProblem`. */
  refusal: 'rampart:core:refusal',
  /** `{ request, policy, shadow, ... }`: a rate-limit policy refused (or, in shadow mode, would have). */
  rateLimitExceeded: 'rampart:rate-limit:exceeded',
  /** `{ request, strategy, identity }`: @rampart/auth accepted credentials. */
  authAuthenticated: 'rampart:auth:authenticated',
  /** `{ request, strategy, reason, description }`: @rampart/auth refused. */
  authFailed: 'rampart:auth:failed',
  /** `{ request, keyId, identity }`: the standalone @rampart/api-key plugin accepted a key. */
  apiKeyAuthenticated: 'rampart:api-key:authenticated',
  /** `{ request, reason, description }`: the standalone @rampart/api-key plugin refused. */
  apiKeyFailed: 'rampart:api-key:failed',
  /** `{ request, rule, type, severity, mode }`: the shield detected an attack (monitor or block mode). */
  shieldDetected: 'rampart:shield:detected',
  /** `{ route, from, to }`: a circuit breaker changed state (`route` is the breaker's label, e.g. `GET /api/users/:id`). */
  circuitBreakerState: 'rampart:circuit-breaker:state',
  /** `{ active, level }`: the DDoS shedding level changed (0 none, 1 anonymous requests, 2 every request). */
  ddosShedding: 'rampart:ddos:shedding',
})

export type SubscribedChannel = (typeof SUBSCRIBED_CHANNELS)[keyof typeof SUBSCRIBED_CHANNELS]

/** A message as the plugin reads it: any object, every field optional and unchecked until read. */
export type LooseMessage = Readonly<Record<string, unknown>>

import { EventChannel, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** What every rate-limit event says about the policy and the client. */
export interface PolicyEvent extends RequestEvent {
  /** The instance (`name` option) whose policy it is. */
  limiter: string
  /** The policy's name (`minute`, `hour`, or a route's policy name). */
  policy: string
  /** The store scope of the policy's set: `<prefix>global` or `<prefix>route:<digest>`. */
  scope: string
  /** The hashed client key (22 characters): correlate events without seeing addresses or ids. */
  client: string
  /** Requests the policy admits per window, burst included (`q`). */
  limit: number
  /** The window in seconds (`w`). */
  window: number
  /** The policy is in shadow mode: reported, never enforced. */
  shadow: boolean
}

/** `rampart:rate-limit:exceeded`: a policy refused a request (if `shadow`, the request went through). */
export interface ExceededEvent extends PolicyEvent {
  /** Seconds until this policy would admit a request. */
  retryAfter: number
}

/** `rampart:rate-limit:near-limit`: a client went past the near-limit fraction of a policy (once per window). */
export interface NearLimitEvent extends PolicyEvent {
  /** Requests still admitted after this one. */
  remaining: number
  /** The configured fraction (e.g. 0.8). */
  threshold: number
}

export const exceededChannel: EventChannel<ExceededEvent> = new EventChannel<ExceededEvent>(PACKAGE, 'exceeded')
export const nearLimitChannel: EventChannel<NearLimitEvent> = new EventChannel<NearLimitEvent>(PACKAGE, 'near-limit')

/** `rampart:rate-limit:banned`: a client's refusals reached the instance's `ban.after`; it is refused for `duration` s. */
export interface BannedEvent extends RequestEvent {
  /** The instance (`name` option). */
  limiter: string
  /** The scope of the set holding the ban: `<prefix>global`. */
  scope: string
  /** The hashed client key. */
  client: string
  /** Seconds the ban lasts. */
  duration: number
}

/** A shared store's circuit breaker changed state. Not about one request: no `request`. */
export interface StoreStateEvent {
  /** The store's `name` (default `'redis'`). */
  store: string
  /** `closed`: Redis decides. `open`: the insurance limiter (and `fail-closed` refusals) decide. `half-open`: one request probes Redis. */
  state: 'closed' | 'open' | 'half-open'
  previous: 'closed' | 'open' | 'half-open'
  /** Why: the failure that opened the breaker (`timeout`, `not connected`, the Redis error), or what closed it. */
  reason: string
  /** Consecutive failed calls when it happened. */
  failures: number
}

export const bannedChannel: EventChannel<BannedEvent> = new EventChannel<BannedEvent>(PACKAGE, 'banned')
export const storeStateChannel: EventChannel<StoreStateEvent> = new EventChannel<StoreStateEvent>(
  PACKAGE,
  'store-state',
)

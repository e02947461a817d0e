export {
  type AuthenticatedEvent,
  authenticatedChannel,
  type FailedEvent,
  type FailureReason,
  failedChannel,
} from './diagnostics.js'
export { INSUFFICIENT_SCOPE, INVALID, MISSING, UNAVAILABLE } from './errors.js'
export {
  type AuthHook,
  type AuthMode,
  type AuthOptions,
  DEFAULTS,
  type ResolvedAuthOptions,
  resolveOptions,
} from './options.js'
export { type Authentication, default, getAuthentication, rampartAuth } from './plugin.js'
export type { AuthRouteOptions } from './route-config.js'

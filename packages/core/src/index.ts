export {
  ACCESS,
  type Access,
  type AccessPolicy,
  NO_ROUTE_ACCESS,
  OPTIONAL,
  PathPolicy,
  PUBLIC,
  REQUIRED,
  type RouteAccess,
  type RouteAccessFields,
  resolveAccessFields,
  resolveRouteAccess,
} from './access-policy.js'
export { challengeWith, quoted } from './challenge.js'
export {
  type ClientAddress,
  type ClientAddressOptions,
  ClientAddressResolver,
  declareClientAddress,
  type ForwardedHeader,
  getClientAddress,
  getClientAddressResolver,
  parseForwarded,
  setClientAddressResolver,
} from './client-address.js'
export { type DeadlineSignal, deadlineSignal } from './deadline-signal.js'
export { channelName, EventChannel, type RefusalEvent, type RequestEvent, refusalChannel } from './diagnostics.js'
export {
  bearerTokenOf,
  type EndpointProtection,
  type EndpointProtectionOptions,
  protectEndpoint,
  resolveEndpointProtection,
} from './endpoint-protection.js'
export { codeSegment, defineError, errorCode, type RampartErrorConstructor } from './errors.js'
export { addHealthCheck, type HealthCheck, type HealthCheckResult, healthChecks } from './health-checks.js'
export {
  addHooklessHeaders,
  type ClientErrorEvent,
  clientErrorChannel,
  type HooklessHeaderProvider,
  hooklessHeaders,
  problemClientErrorHandler,
  problemFrameworkErrors,
} from './hookless-replies.js'
export { type AuthOutcome, type AuthStrategy, declareIdentity, type Identity } from './identity.js'
export { ipBucket, normalizeIp, parseIpv6 } from './ip.js'
export { type IntegerRange, OptionValidator, withDefaults } from './options.js'
export { declareRequestPath, decodePercent, normalizePath, requestPath } from './path.js'
export {
  defineRefusal,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  type ProblemDetails,
  problemBody,
  RETRY_SOON,
  RefusalError,
  type RefusalKind,
  sendProblem,
} from './problem.js'
export {
  INTERNAL_ERROR,
  kindForStatus,
  NOT_FOUND,
  problemErrorHandler,
  problemNotFoundHandler,
  problemRepliesPlugin,
} from './problem-handlers.js'
export {
  declareRouteConfig,
  perRouteSettings,
  type RampartRouteConfig,
  type RouteDescription,
  resolvePerRoute,
  routeSettings,
} from './route-config.js'
export {
  type MatcherOptions,
  type PathRules,
  PrefixMatcher,
  RoutePatternMatcher,
  routePattern,
  routerCaseSensitive,
} from './route-matching.js'
export { compileTrustedProxies, NAMED_RANGES, type TrustedProxyList } from './trusted-proxies.js'

export {
  DEFAULTS,
  LOG_LEVELS,
  type LogLevel,
  type RequestLogLevels,
  type RequestLogOptions,
  type ResolvedRequestLogOptions,
  resolveOptions,
} from './options.js'
export { default, type RequestLogLine, rampartRequestLog } from './plugin.js'
export { REDACTED, redactHeaders, redactUrl } from './redact.js'
export type { RequestLogRouteOptions } from './route-config.js'

export type { ClientAddress, ForwardedHeader } from '@rampart/core'
export { AlreadyRegisteredError } from './errors.js'
export {
  DEFAULTS,
  FORWARDED_HEADERS,
  type ProxyHeadersOptions,
  type ResolvedProxyHeadersOptions,
  resolveOptions,
} from './options.js'
export { default, rampartProxyHeaders } from './plugin.js'

export { type RefusedEvent, refusedChannel } from './diagnostics.js'
export { HOST_MISSING, HOST_NOT_ALLOWED } from './errors.js'
export { type HostEntry, parseHostEntry } from './host-entry.js'
export { HostMatcher } from './host-matcher.js'
export {
  OPTION_NAMES,
  type ResolvedTrustedHostOptions,
  resolveOptions,
  type TrustedHostOptions,
} from './options.js'
export { default, rampartTrustedHost } from './plugin.js'

export {
  type InvalidContentLengthEvent,
  invalidContentLengthChannel,
  type NullByteEvent,
  nullByteChannel,
  type TooLargeEvent,
  tooLargeChannel,
  type UnsupportedMediaTypeEvent,
  unsupportedMediaTypeChannel,
} from './diagnostics.js'
export { INVALID_CONTENT_LENGTH, NULL_BYTE, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE } from './errors.js'
export { parseMediaType } from './media-type.js'
export {
  type ContentGuardDefaults,
  type ContentGuardOptions,
  type ContentGuardRouteOptions,
  DEFAULT_ROOT_LIMIT,
  DEFAULTS,
  type ResolvedContentGuardOptions,
  resolveOptions,
} from './options.js'
export { default, rampartContentGuard } from './plugin.js'

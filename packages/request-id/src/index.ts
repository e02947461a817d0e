export { ConflictingFastifyOptionError } from './errors.js'
export { createRequestIdGenerator, type GenReqId } from './generator.js'
export {
  DEFAULTS,
  OPTIONAL_CHARACTERS,
  type RawRequestLike,
  type RequestIdGenerator,
  type RequestIdOptions,
  type ResolvedRequestIdOptions,
  resolveOptions,
} from './options.js'
export { default, rampartRequestId } from './plugin.js'

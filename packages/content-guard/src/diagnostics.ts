import { EventChannel, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** `rampart:content-guard:too-large`: a body over its limit was refused (413). */
export interface TooLargeEvent extends RequestEvent {
  /** The limit that applied, in bytes. */
  limit: number
  /** The declared `Content-Length` (`source: 'content-length'`) or the bytes counted so far (`source: 'stream'`). */
  received: number
  /** `'content-length'`: refused from the header before any byte was read; `'stream'`: while the body was read. */
  source: 'content-length' | 'stream'
}

/** `rampart:content-guard:unsupported-media-type`: a body of a media type not accepted was refused (415). */
export interface UnsupportedMediaTypeEvent extends RequestEvent {
  /** The raw `Content-Type` header, `undefined` when it was missing. */
  contentType: string | undefined
  /** The parsed, lowercased `type/subtype`; `undefined` when the header was missing or malformed. */
  mediaType: string | undefined
  /** The media types that would have been accepted. */
  allowed: readonly string[]
}

/** `rampart:content-guard:invalid-content-length`: a malformed or ambiguous `Content-Length` was refused (400). */
export interface InvalidContentLengthEvent extends RequestEvent {
  /** The raw header value. */
  value: string | readonly string[]
  /** `'malformed'`: not `1*DIGIT`; `'with-transfer-encoding'`: sent together with `Transfer-Encoding`. */
  reason: 'malformed' | 'with-transfer-encoding'
}

/** `rampart:content-guard:null-byte`: a URL with a NUL byte (raw or `%00`) was refused (400). */
export interface NullByteEvent extends RequestEvent {}

export const tooLargeChannel: EventChannel<TooLargeEvent> = new EventChannel<TooLargeEvent>(PACKAGE, 'too-large')

export const unsupportedMediaTypeChannel: EventChannel<UnsupportedMediaTypeEvent> =
  new EventChannel<UnsupportedMediaTypeEvent>(PACKAGE, 'unsupported-media-type')

export const invalidContentLengthChannel: EventChannel<InvalidContentLengthEvent> =
  new EventChannel<InvalidContentLengthEvent>(PACKAGE, 'invalid-content-length')

export const nullByteChannel: EventChannel<NullByteEvent> = new EventChannel<NullByteEvent>(PACKAGE, 'null-byte')

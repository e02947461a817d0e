import { defineRefusal } from '@rampart/core'

export const PACKAGE = 'content-guard'

/** 413 for a body over the path's limit, declared or streamed: `RAMPART_CONTENT_GUARD_TOO_LARGE`. */
export const TOO_LARGE = defineRefusal(PACKAGE, 'TOO_LARGE', 413, 'Content Too Large')

/** 415 for a media type the method (or route) does not accept: `RAMPART_CONTENT_GUARD_UNSUPPORTED_MEDIA_TYPE`. */
export const UNSUPPORTED_MEDIA_TYPE = defineRefusal(PACKAGE, 'UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported Media Type')

/** 400 for a `Content-Length` that is not `1*DIGIT`, or sent with `Transfer-Encoding`: `RAMPART_CONTENT_GUARD_INVALID_CONTENT_LENGTH`. */
export const INVALID_CONTENT_LENGTH = defineRefusal(PACKAGE, 'INVALID_CONTENT_LENGTH', 400, 'Bad Request')

/** 400 for a NUL byte in the path or query, raw or `%00`: `RAMPART_CONTENT_GUARD_NULL_BYTE`. */
export const NULL_BYTE = defineRefusal(PACKAGE, 'NULL_BYTE', 400, 'Bad Request')

/**
 * RFC 9110 media types, parsed by hand: one pass over the header, no regex, no allocation but the
 * returned `type/subtype`.
 *
 *   media-type      = type "/" subtype parameters
 *   parameters      = *( OWS ";" OWS [ parameter ] )
 *   parameter       = parameter-name "=" parameter-value
 *   parameter-value = ( token / quoted-string )
 */

/** `tchar` of RFC 9110 section 5.6.2, indexed by char code (ASCII only). */
const TOKEN = new Uint8Array(128)
for (const char of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TOKEN[char.charCodeAt(0)] = 1
}

const TAB = 9
const SPACE = 32
const QUOTE = 34
const SLASH = 47
const SEMICOLON = 59
const EQUALS = 61
const BACKSLASH = 92

function isToken(code: number): boolean {
  return code < 128 && TOKEN[code] === 1
}

function isWhitespace(code: number): boolean {
  return code === SPACE || code === TAB
}

/** `qdtext` of RFC 9110 section 5.6.4: HTAB, SP, %x21, %x23-5B, %x5D-7E, obs-text. */
function isQuotedText(code: number): boolean {
  return (
    code === TAB ||
    code === SPACE ||
    code === 0x21 ||
    (code >= 0x23 && code <= 0x5b) ||
    (code >= 0x5d && code <= 0x7e) ||
    (code >= 0x80 && code <= 0xff)
  )
}

/** The octet after a `\` in a quoted-pair: HTAB, SP, VCHAR, obs-text. */
function isQuotablePair(code: number): boolean {
  return code === TAB || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff)
}

/**
 * The lowercased `type/subtype` of a `Content-Type` value, or `undefined` when the value is not a
 * well-formed media type. Whitespace (SP, HTAB) around the value and around `;` is allowed, type,
 * subtype and parameter names are tokens, parameter values tokens or quoted strings; anything else
 * (`application/json\tx`, `application/json x`, `json`, `a/b; c`) is malformed. Never throws.
 */
export function parseMediaType(value: string): string | undefined {
  let start = 0
  let end = value.length
  while (start < end && isWhitespace(value.charCodeAt(start))) start++
  while (end > start && isWhitespace(value.charCodeAt(end - 1))) end--

  let i = start
  while (i < end && isToken(value.charCodeAt(i))) i++
  if (i === start || i === end || value.charCodeAt(i) !== SLASH) return undefined
  i++
  const subtypeStart = i
  while (i < end && isToken(value.charCodeAt(i))) i++
  if (i === subtypeStart) return undefined
  const essenceEnd = i

  while (i < end) {
    while (i < end && isWhitespace(value.charCodeAt(i))) i++
    if (value.charCodeAt(i) !== SEMICOLON) return undefined
    i++
    while (i < end && isWhitespace(value.charCodeAt(i))) i++
    // `[ parameter ]`: an empty parameter (`a/b;`, `a/b; ; c=d`) is allowed by the grammar.
    if (i === end || value.charCodeAt(i) === SEMICOLON) continue
    const nameStart = i
    while (i < end && isToken(value.charCodeAt(i))) i++
    if (i === nameStart || value.charCodeAt(i) !== EQUALS) return undefined
    i++
    if (value.charCodeAt(i) === QUOTE) {
      i = skipQuotedString(value, i + 1, end)
      if (i === -1) return undefined
    } else {
      const valueStart = i
      while (i < end && isToken(value.charCodeAt(i))) i++
      if (i === valueStart) return undefined
    }
  }
  return value.slice(start, essenceEnd).toLowerCase()
}

/** Index after the closing quote of a quoted-string whose content starts at `i`, or -1. */
function skipQuotedString(value: string, i: number, end: number): number {
  while (i < end) {
    const code = value.charCodeAt(i)
    if (code === QUOTE) return i + 1
    if (code === BACKSLASH) {
      if (i + 1 >= end || !isQuotablePair(value.charCodeAt(i + 1))) return -1
      i += 2
    } else if (isQuotedText(code)) {
      i++
    } else {
      return -1
    }
  }
  return -1
}

// Whether `range` is a media range an allowlist can hold: `type/subtype`, `type/*` or `*/*`
// (anything), tokens only, no parameters.
export function isMediaRange(range: string): boolean {
  const slash = range.indexOf('/')
  if (slash <= 0 || slash === range.length - 1) return false
  for (let i = 0; i < range.length; i++) {
    if (i !== slash && !isToken(range.charCodeAt(i))) return false
  }
  const type = range.slice(0, slash)
  const subtype = range.slice(slash + 1)
  return !(type === '*' && subtype !== '*')
}

/** What a method (or a route's method) accepts, built once at register or in `onRoute`. */
export class MediaTypePolicy {
  /** The accepted media ranges as configured (lowercased), for the 415 reply's `allowed` member. */
  readonly allowed: readonly string[]
  /** Headers of the 415 reply: `Accept-Post` / `Accept-Patch` for POST / PATCH (RFC 5789), else none. */
  readonly headers: Readonly<Record<string, string>> | undefined
  /** The same plus `Connection: close`, for HTTP/1 requests whose body is left unread. */
  readonly headersClose: Readonly<Record<string, string>>
  readonly #exact: ReadonlySet<string>
  readonly #types: ReadonlySet<string> | null
  readonly #any: boolean

  constructor(method: string, ranges: readonly string[]) {
    const allowed = [...new Set(ranges.map((range) => range.toLowerCase()))]
    this.allowed = Object.freeze(allowed)
    const exact = new Set<string>()
    const types = new Set<string>()
    let any = false
    for (const range of allowed) {
      if (range === '*/*') any = true
      else if (range.endsWith('/*')) types.add(range.slice(0, -2))
      else exact.add(range)
    }
    this.#exact = exact
    this.#types = types.size === 0 ? null : types
    this.#any = any
    const accept = method === 'POST' ? 'accept-post' : method === 'PATCH' ? 'accept-patch' : undefined
    this.headers = accept === undefined ? undefined : Object.freeze({ [accept]: allowed.join(', ') })
    this.headersClose = Object.freeze({ ...this.headers, connection: 'close' })
  }

  /** Whether a media type from `parseMediaType` (lowercased `type/subtype`) is accepted. */
  allows(mediaType: string): boolean {
    if (this.#any || this.#exact.has(mediaType)) return true
    return this.#types?.has(mediaType.slice(0, mediaType.indexOf('/'))) === true
  }
}

/**
 * The session cookie, read and written by hand: only the one cookie this plugin owns, so no
 * general cookie library is needed. The reader is strict and bounded; the writer emits fixed,
 * precomputed attributes.
 */

/** RFC 6265 `cookie-name` (an RFC 7230 token). */
export const COOKIE_NAME_PATTERN: RegExp = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/

/** A `Cookie` header longer than this is not read at all (the session is then absent). */
export const MAX_COOKIE_HEADER_LENGTH = 16_384

/** The cookie was sent more than once with different values (cookie tossing): no session. */
export const AMBIGUOUS: unique symbol = Symbol('rampart.session.ambiguousCookie')

/** What `readCookie` found: the value, `null` (absent, or the header is too long) or `AMBIGUOUS`. */
export type CookieRead = string | null | typeof AMBIGUOUS

/**
 * The value of the cookie `name` in a `Cookie` header (`a=1; b=2`). Names match exactly and
 * case-sensitively; a value is taken as sent (trailing blanks trimmed), and checked by the caller.
 * The same cookie sent twice with different values (a sibling subdomain or a narrower path
 * planting its own) is `AMBIGUOUS`: neither is trusted.
 */
export function readCookie(header: string | string[] | undefined, name: string): CookieRead {
  if (header === undefined) return null
  const text = typeof header === 'string' ? header : header.join('; ')
  if (text.length > MAX_COOKIE_HEADER_LENGTH || !text.includes(name)) return null
  const length = text.length
  let found: string | null = null
  let start = 0
  while (start < length) {
    let end = text.indexOf(';', start)
    if (end === -1) end = length
    let from = start
    while (from < end && isBlank(text.charCodeAt(from))) from++
    if (text.startsWith(name, from) && text.charCodeAt(from + name.length) === 0x3d /* = */) {
      let to = end
      while (to > from && isBlank(text.charCodeAt(to - 1))) to--
      const value = text.slice(from + name.length + 1, to)
      if (found !== null && found !== value) return AMBIGUOUS
      found = value
    }
    start = end + 1
  }
  return found
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09
}

/** The fixed attributes of the session cookie. */
export interface CookieAttributes {
  readonly name: string
  readonly secure: boolean
  readonly sameSite: 'lax' | 'strict'
  /** `Max-Age`/`Expires` at the session's absolute expiry; otherwise a browser-session cookie. */
  readonly persistent: boolean
}

/** Writes the session cookie; its attribute suffix is built once. */
export class SessionCookie {
  readonly name: string
  readonly persistent: boolean
  readonly #attributes: string
  readonly #clear: string

  constructor(attributes: CookieAttributes) {
    this.name = attributes.name
    this.persistent = attributes.persistent
    this.#attributes = `; Path=/; HttpOnly${attributes.secure ? '; Secure' : ''}; SameSite=${
      attributes.sameSite === 'strict' ? 'Strict' : 'Lax'
    }`
    this.#clear = `${this.name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT${this.#attributes}`
  }

  /** `Set-Cookie` for `value`, expiring at `expiresAt` (epoch ms) when persistent. */
  serialize(value: string, now: number, expiresAt: number): string {
    if (!this.persistent) return `${this.name}=${value}${this.#attributes}`
    const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000))
    return `${this.name}=${value}; Max-Age=${maxAge}; Expires=${new Date(expiresAt).toUTCString()}${this.#attributes}`
  }

  /** `Set-Cookie` that removes the cookie (same name, path and attributes, expired). */
  clear(): string {
    return this.#clear
  }
}

import type { FastifyRequest } from 'fastify'

/** The request carries an `Authorization: Bearer` that is not exactly one token, or the query parameter twice. */
export const MALFORMED_REQUEST: unique symbol = Symbol('rampart.jwt.malformedRequest')

function lower(code: number): number {
  return code | 0x20
}

/** Whether `header` starts with the auth-scheme `Bearer` (any case) followed by a space or nothing. */
function isBearer(header: string): boolean {
  return (
    header.length >= 6 &&
    lower(header.charCodeAt(0)) === 0x62 && // b
    lower(header.charCodeAt(1)) === 0x65 && // e
    lower(header.charCodeAt(2)) === 0x61 && // a
    lower(header.charCodeAt(3)) === 0x72 && // r
    lower(header.charCodeAt(4)) === 0x65 && // e
    lower(header.charCodeAt(5)) === 0x72 && // r
    (header.length === 6 || header.charCodeAt(6) === 0x20)
  )
}

/** The token of a `Bearer` credential: spaces after the scheme skipped, exactly one token after them. */
function bearerToken(header: string): string | typeof MALFORMED_REQUEST {
  let start = 6
  while (start < header.length && header.charCodeAt(start) === 0x20) start++
  if (start === header.length) return MALFORMED_REQUEST
  const token = start === 7 ? header.slice(7) : header.slice(start)
  return token.indexOf(' ') === -1 && token.indexOf(',') === -1 ? token : MALFORMED_REQUEST
}

/**
 * The value of cookie `needle` (`name=`) in a `Cookie` header, without parsing the other cookies:
 * the first pair whose name is exactly the cookie's, unquoted. Empty (a cleared cookie) is none.
 */
export function readCookie(header: string, needle: string): string | undefined {
  let from = 0
  for (;;) {
    const at = header.indexOf(needle, from)
    if (at === -1) return undefined
    let before = at - 1
    while (before >= 0 && (header.charCodeAt(before) === 0x20 || header.charCodeAt(before) === 0x09)) before--
    if (before < 0 || header.charCodeAt(before) === 0x3b) {
      const start = at + needle.length
      let end = header.indexOf(';', start)
      if (end === -1) end = header.length
      let value = header.slice(start, end).trim()
      if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) {
        value = value.slice(1, -1)
      }
      return value.length === 0 ? undefined : value
    }
    from = at + 1
  }
}

/**
 * Finds the token of a request: `Authorization: Bearer` first, then the cookie, then (only when
 * enabled) the query parameter. Another scheme in `Authorization` (`Basic`, `ApiKey`) is not ours
 * and leaves the other places to look.
 */
export class TokenSource {
  readonly #cookieNeedle: string | undefined
  readonly #query: string | undefined

  constructor(cookie: string | false, query: string | false) {
    this.#cookieNeedle = cookie === false ? undefined : `${cookie}=`
    this.#query = query === false ? undefined : query
  }

  extract(request: FastifyRequest): string | typeof MALFORMED_REQUEST | undefined {
    const headers = request.headers
    const authorization = headers.authorization
    if (authorization !== undefined && isBearer(authorization)) return bearerToken(authorization)
    if (this.#cookieNeedle !== undefined) {
      const cookie = headers.cookie
      if (cookie !== undefined) {
        const token = readCookie(cookie, this.#cookieNeedle)
        if (token !== undefined) return token
      }
    }
    if (this.#query !== undefined) {
      const query = request.query as Record<string, unknown> | null | undefined
      if (query != null && Object.hasOwn(query, this.#query)) {
        const value = query[this.#query]
        if (typeof value !== 'string') return MALFORMED_REQUEST
        return value.length === 0 ? undefined : value
      }
    }
    return undefined
  }
}

/** A cookie name: an RFC 6265 token (no separators, no controls, no spaces). */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** `cookieValue`'s answer when the cookie is sent more than once: which one is ours cannot be told. */
export const DUPLICATE = Symbol('rampart.csrf.duplicateCookie')

/**
 * The value of one cookie in a `Cookie` header (RFC 6265 `name=value` pairs separated by `;`),
 * strictly: the name must match exactly (case-sensitive), a value in double quotes is unquoted,
 * nothing is percent-decoded. `DUPLICATE` when the name occurs twice (a cookie planted with
 * another Path or Domain beside ours); `undefined` when it is absent.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined | typeof DUPLICATE {
  if (header === undefined || header.length === 0) return undefined
  const prefix = `${name}=`
  let found: string | undefined
  let start = 0
  while (start < header.length) {
    let end = header.indexOf(';', start)
    if (end === -1) end = header.length
    let from = start
    while (from < end && (header.charCodeAt(from) === 32 || header.charCodeAt(from) === 9)) from++
    if (header.startsWith(prefix, from)) {
      if (found !== undefined) return DUPLICATE
      let to = end
      while (to > from && (header.charCodeAt(to - 1) === 32 || header.charCodeAt(to - 1) === 9)) to--
      let value = header.slice(from + prefix.length, to)
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
      found = value
    }
    start = end + 1
  }
  return found
}

/** The attributes of a `Set-Cookie`, serialised once at register. */
export interface CookieAttributes {
  readonly secure: boolean
  readonly httpOnly: boolean
  readonly sameSite: 'lax' | 'strict' | 'none'
}

const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const

/** `; Path=/; Secure; HttpOnly; SameSite=Lax`: the attribute suffix of every cookie of one kind. */
export function cookieAttributes({ secure, httpOnly, sameSite }: CookieAttributes): string {
  return `; Path=/${secure ? '; Secure' : ''}${httpOnly ? '; HttpOnly' : ''}; SameSite=${SAME_SITE[sameSite]}`
}

/** Expires a cookie now (same name, Path and attributes, so the browser replaces it). */
export const EXPIRE = '; Max-Age=0'

import type { FastifyInstance, FastifyRequest } from 'fastify'

/**
 * The path a security decision is made on. Strips the query, decodes percent-escapes once
 * (invalid escapes stay literal; `%2F` stays `%2F`, as the router keeps it), collapses `//`, resolves `.` and `..` (never above the root)
 * and drops a trailing slash, so `/api/upload`, `//api/upload`, `/api/./upload`, `/api/x/../upload`,
 * `/api/upload/` and `/api/%75pload` are one path. Lowercases when `caseSensitive` is false.
 * Never throws.
 */
export function normalizePath(target: string, caseSensitive = true): string {
  let url = target
  // Absolute-form (`GET http://host/files/x HTTP/1.1`): the router serves the path after the
  // authority, so every rule must see that path too, not `/http:/host/files/x`.
  if (url.charCodeAt(0) !== 47 /* / */) {
    const authority = ABSOLUTE_FORM.exec(url)
    if (authority !== null) {
      url = url.slice(authority[0].length)
      if (url.charCodeAt(0) !== 47) url = `/${url}`
    }
  }
  let end = url.length
  const query = url.indexOf('?')
  if (query !== -1) end = query
  const fragment = url.indexOf('#')
  if (fragment !== -1 && fragment < end) end = fragment
  let path = end === url.length ? url : url.slice(0, end)
  if (needsWork(path)) path = resolveSegments(decodePercent(path, true))
  return caseSensitive ? path : path.toLowerCase()
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/

function needsWork(path: string): boolean {
  return (
    path.length === 0 ||
    path.charCodeAt(0) !== 47 /* / */ ||
    path.includes('%') ||
    path.includes('//') ||
    path.includes('/.') ||
    (path.length > 1 && path.charCodeAt(path.length - 1) === 47)
  )
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 65 && code <= 70) return code - 55
  if (code >= 97 && code <= 102) return code - 87
  return -1
}

/**
 * Decodes valid `%XX` escapes as UTF-8 bytes; leaves invalid ones as they are. With `keepSlash`,
 * `%2F` stays an escaped character inside its segment, as Fastify's router keeps it: decoding it
 * into a separator would let `/admin/..%2Fpublic` (served by `/admin/:file`) read as `/public`.
 */
export function decodePercent(text: string, keepSlash = false): string {
  if (!text.includes('%')) return text
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 37 /* % */ && i + 2 < text.length) {
      const high = hexValue(text.charCodeAt(i + 1))
      const low = hexValue(text.charCodeAt(i + 2))
      if (high !== -1 && low !== -1 && !(keepSlash && high === 2 && low === 15)) {
        bytes.push(high * 16 + low)
        i += 2
        continue
      }
      if (high === 2 && low === 15) {
        bytes.push(37, 50, 70) // "%2F", one spelling for both cases
        i += 2
        continue
      }
    }
    if (code < 0x80) bytes.push(code)
    else for (const byte of Buffer.from(text[i] as string, 'utf8')) bytes.push(byte)
  }
  return Buffer.from(bytes).toString('utf8')
}

function resolveSegments(path: string): string {
  const out: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(segment)
  }
  return `/${out.join('/')}`
}

const kPath = Symbol('rampart.core.path')
type WithPath = FastifyRequest & { [kPath]?: string | null }

/** Declares the per-request memo slot of `requestPath`. Idempotent. */
export function declareRequestPath(fastify: FastifyInstance): void {
  if (!fastify.hasRequestDecorator(kPath)) fastify.decorateRequest(kPath, null)
}

/** The normalised path of a request (case preserved), computed once per request. */
export function requestPath(request: FastifyRequest): string {
  const memo = (request as WithPath)[kPath]
  if (memo) return memo
  const path = normalizePath(request.url)
  ;(request as WithPath)[kPath] = path
  return path
}

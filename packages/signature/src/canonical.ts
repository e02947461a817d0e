import { createHash, createHmac } from 'node:crypto'

/** First line of every canonical string: the scheme and its version, so a signature is never valid in another protocol. */
export const SCHEME = 'RAMPART-HMAC-SHA256'

/** Hex SHA-256 of no bytes: the body hash of a request without a body. */
export const EMPTY_BODY_SHA256: string = createHash('sha256').digest('hex')

/** What a signature covers. Every field is one line of the canonical string, in this order. */
export interface CanonicalRequest {
  /** The method, upper case (`POST`). */
  readonly method: string
  /** The path exactly as sent in the request line, before the `?` (`/api/orders/42`). */
  readonly path: string
  /** The raw query after the `?` (without it), canonicalised by `canonicalQuery`. */
  readonly query: string
  /** Unix seconds, as sent in `X-Signature-Timestamp`. */
  readonly timestamp: string
  /** As sent in `X-Signature-Nonce`. */
  readonly nonce: string
  /** Lower-case hex SHA-256 of the raw body bytes (`EMPTY_BODY_SHA256` without a body). */
  readonly bodySha256: string
}

/**
 * The string that is signed, seven lines joined by `\n` (no trailing newline):
 * `RAMPART-HMAC-SHA256`, method, path, canonical query, timestamp, nonce, body SHA-256.
 * No field can contain a newline (the request line and the header formats forbid it), so the
 * string is unambiguous.
 */
export function canonicalString(request: CanonicalRequest): string {
  return `${SCHEME}\n${request.method}\n${request.path}\n${canonicalQuery(request.query)}\n${request.timestamp}\n${request.nonce}\n${request.bodySha256}`
}

/** The HMAC-SHA256 of `canonical` under `secret`, as 32 bytes. */
export function hmacSha256(secret: string | Uint8Array, canonical: string): Buffer {
  return createHmac('sha256', secret).update(canonical, 'utf8').digest()
}

const HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
)
const UNRESERVED_ONLY = /^[A-Za-z0-9._~-]*$/
const PLUS = /\+/g

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  )
}

/** RFC 3986 encoding of a decoded name or value: its UTF-8 bytes, unreserved ones kept, every other one `%XX` (upper case). */
export function encodeRfc3986(text: string): string {
  if (UNRESERVED_ONLY.test(text)) return text
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) out += isUnreserved(byte) ? String.fromCharCode(byte) : HEX[byte]
  return out
}

/**
 * A name or value as Fastify's query parser (fast-querystring) reads it: `+` is a space, then
 * percent-escapes are decoded as UTF-8; when they are not valid (`%zz`, `%FF`, a cut sequence),
 * the text is kept as it is, as the parser keeps it.
 */
export function decodeQueryComponent(raw: string): string {
  const text = raw.includes('+') ? raw.replace(PLUS, ' ') : raw
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The query's `[name, value]` pairs, decoded as Fastify's default query parser decodes them, in order. */
export function queryPairs(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = []
  if (rawQuery.length === 0) return pairs
  for (const piece of rawQuery.split('&')) {
    if (piece.length === 0) continue
    const equals = piece.indexOf('=')
    if (equals === -1) pairs.push([decodeQueryComponent(piece), ''])
    else pairs.push([decodeQueryComponent(piece.slice(0, equals)), decodeQueryComponent(piece.slice(equals + 1))])
  }
  return pairs
}

function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
}

/**
 * The canonical form of a raw query string (without the `?`): each pair decoded as Fastify decodes
 * it (`+` is a space, invalid escapes stay literal), re-encoded with RFC 3986 (`%20`, upper-case
 * hex), sorted by encoded name (a stable sort: the values of a repeated name keep their order,
 * because `?sort=a&sort=b` and `?sort=b&sort=a` mean different things), joined as
 * `name=value&name=value`. A pair without `=` gets an empty value; empty pairs are dropped.
 * Two queries have the same canonical form exactly when Fastify parses them to the same values.
 */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery.length === 0) return ''
  const pairs = queryPairs(rawQuery).map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
  pairs.sort(byName)
  let out = ''
  for (const [name, value] of pairs) out += out.length === 0 ? `${name}=${value}` : `&${name}=${value}`
  return out
}

import { createHash, randomBytes } from 'node:crypto'
import { canonicalString, EMPTY_BODY_SHA256, hmacSha256 } from './canonical.js'
import { InvalidArgumentError } from './errors.js'
import {
  KEY_ID_PATTERN,
  NONCE_PATTERN,
  SIGNATURE_HEADERS,
  type SignatureHeaders,
  TIMESTAMP_PATTERN,
} from './headers.js'

/** A request body as `signRequest` takes it. */
export type SignableBody = string | Uint8Array | ArrayBuffer

/** What `signRequest` needs. */
export interface SignRequestOptions {
  /** The key's id, as configured on the server. */
  keyId: string
  /** The key's secret (at least 32 bytes; a string counts as its UTF-8 bytes). */
  secret: string | Uint8Array
  /** The HTTP method; upper-cased, as clients send it. */
  method: string
  /**
   * The URL the request goes to: absolute (`https://api.example.com/v1/orders?x=1`), a `URL`, or a
   * path with its query (`/v1/orders?x=1`). Read with the WHATWG URL parser, as `fetch` and undici
   * read it, so the path signed is the path they send (dot segments resolved, spaces and non-ASCII
   * percent-encoded).
   */
  url: string | URL
  /** The exact body bytes (a string counts as its UTF-8 bytes). Omit it, or pass `''`, for none. */
  body?: SignableBody | null
  /** Instead of `body`: the lower-case hex SHA-256 of a body you stream and hash yourself. */
  bodySha256?: string
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
  /** The nonce to send (16-128 of `A-Z a-z 0-9 - _`). Default: 16 random bytes, base64url (22 characters). */
  nonce?: string
}

const BODYLESS = new Set(['GET', 'HEAD', 'TRACE'])
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const HEX_SHA256 = /^[0-9a-f]{64}$/

function fail(message: string): never {
  throw new InvalidArgumentError(message)
}

function bodyBytes(body: SignableBody): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (body instanceof Uint8Array) return body
  return fail('body must be a string, a Uint8Array (Buffer) or an ArrayBuffer')
}

function parseUrl(url: string | URL): URL {
  if (url instanceof URL) return url
  if (typeof url !== 'string' || url.length === 0) return fail('url must be a non-empty string or a URL')
  try {
    // A path is read against a placeholder origin; `//x` stays a path, never a host.
    return url.startsWith('/') ? new URL(`http://signing.invalid${url}`) : new URL(url)
  } catch {
    return fail(`url is not a valid URL or path: ${JSON.stringify(url.slice(0, 80))}`)
  }
}

/**
 * Signs a request for a server running `@rampart/signature`: returns the four headers to send
 * with it. Send the body bytes exactly as hashed, to the URL signed, with the method signed.
 *
 * ```js
 * const body = JSON.stringify({ amount: 10 })
 * const headers = signRequest({ keyId: 'client-1', secret, method: 'POST', url, body })
 * await fetch(url, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } })
 * ```
 */
export function signRequest(options: SignRequestOptions): SignatureHeaders {
  if (options === null || typeof options !== 'object') fail('signRequest needs an options object')
  const { keyId, secret, body, now = Date.now } = options
  if (typeof keyId !== 'string' || !KEY_ID_PATTERN.test(keyId)) fail(`keyId must match ${KEY_ID_PATTERN}`)
  let secretLength = -1
  if (typeof secret === 'string') secretLength = Buffer.byteLength(secret)
  else if (secret instanceof Uint8Array) secretLength = secret.byteLength
  else fail('secret must be a string or a Uint8Array')
  if (secretLength < 32) fail('secret must be at least 32 bytes long')
  if (typeof options.method !== 'string' || !METHOD.test(options.method)) fail('method must be an HTTP method')
  const method = options.method.toUpperCase()
  if (typeof now !== 'function') fail('now must be a function returning ms since the epoch')

  let bodySha256 = EMPTY_BODY_SHA256
  const hasBody = body !== undefined && body !== null
  if (options.bodySha256 !== undefined) {
    if (hasBody) fail('give body or bodySha256, not both')
    if (typeof options.bodySha256 !== 'string' || !HEX_SHA256.test(options.bodySha256)) {
      fail('bodySha256 must be 64 lower-case hex digits')
    }
    bodySha256 = options.bodySha256
  } else if (hasBody) {
    const bytes = bodyBytes(body)
    if (bytes.byteLength > 0) bodySha256 = createHash('sha256').update(bytes).digest('hex')
  }
  if (BODYLESS.has(method) && bodySha256 !== EMPTY_BODY_SHA256) {
    fail(`a ${method} request cannot carry a body: servers never read it, so it cannot be signed`)
  }

  const nonce = options.nonce ?? randomBytes(16).toString('base64url')
  if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) fail(`nonce must match ${NONCE_PATTERN}`)
  const clock = now()
  if (typeof clock !== 'number' || !Number.isFinite(clock) || clock < 0) fail('now() must return ms since the epoch')
  const timestamp = String(Math.floor(clock / 1000))
  if (!TIMESTAMP_PATTERN.test(timestamp)) fail('now() is out of range')

  const target = parseUrl(options.url)
  const canonical = canonicalString({
    method,
    path: target.pathname,
    query: target.search.length > 1 ? target.search.slice(1) : '',
    timestamp,
    nonce,
    bodySha256,
  })
  return {
    [SIGNATURE_HEADERS.keyId]: keyId,
    [SIGNATURE_HEADERS.signature]: hmacSha256(secret, canonical).toString('hex'),
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
  } as SignatureHeaders
}

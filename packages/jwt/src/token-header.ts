/** What the JOSE header of a compact JWS says about how to verify it. */
export interface TokenHeader {
  readonly alg: unknown
  readonly kid: unknown
}

/** Why a token cannot even be looked at. */
export type HeaderProblem = 'malformed' | 'encrypted'

const BASE64URL = /^[A-Za-z0-9_-]+$/

/**
 * Reads the header of a compact JWS (`header.payload.signature`) to pick the key, before any
 * signature check: three segments, a base64url header that is a JSON object. Nothing in it is
 * trusted; `jku`, `x5u`, `jwk` and `x5c` are never read. Five segments is an encrypted token (JWE).
 */
export function readHeader(token: string): TokenHeader | HeaderProblem {
  const first = token.indexOf('.')
  if (first <= 0) return 'malformed'
  const second = token.indexOf('.', first + 1)
  if (second === -1) return 'malformed'
  if (token.indexOf('.', second + 1) !== -1) {
    return token.split('.').length === 5 ? 'encrypted' : 'malformed'
  }
  const segment = token.slice(0, first)
  if (!BASE64URL.test(segment)) return 'malformed'
  let header: unknown
  try {
    header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    return 'malformed'
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return 'malformed'
  return header as TokenHeader
}

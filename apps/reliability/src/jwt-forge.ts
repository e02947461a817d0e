import { createHmac, createSign, type KeyLike } from 'node:crypto'

/** How a forged token is signed: an HMAC with any key bytes, RSA with any private key, or a given signature. */
export type ForgeSignature =
  | { readonly hmac: 'HS256' | 'HS384' | 'HS512'; readonly key: string | Buffer }
  | { readonly rsa: 'RS256'; readonly key: KeyLike }
  | { readonly raw: string }

const HMAC_HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const

export function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url')
}

/**
 * A JWT with exactly the header and payload given (no claim added, none checked), signed as told:
 * the attacker's side of the corpus. `header` and `payload` may be any JSON value, or a string
 * taken as the segment's JSON text.
 */
export function forgeJwt(header: unknown, payload: unknown, signature: ForgeSignature): string {
  const encode = (part: unknown) => base64url(typeof part === 'string' ? part : JSON.stringify(part))
  const signingInput = `${encode(header)}.${encode(payload)}`
  if ('raw' in signature) return `${signingInput}.${signature.raw}`
  if ('hmac' in signature) {
    return `${signingInput}.${createHmac(HMAC_HASH[signature.hmac], signature.key).update(signingInput).digest('base64url')}`
  }
  return `${signingInput}.${createSign('RSA-SHA256').update(signingInput).sign(signature.key, 'base64url')}`
}

/** Claims of a well-formed token for the suite user, valid for an hour from `now` (seconds). */
export function claims(issuer: string, overrides: Record<string, unknown> = {}, now = Math.floor(Date.now() / 1000)) {
  return { sub: 'alice', iss: issuer, iat: now, exp: now + 3600, jti: `j-${now}-${Math.random()}`, ...overrides }
}

import type { KeyObject } from 'node:crypto'

/** The JWS algorithms a key can be pinned to. `none` is not one of them. */
export type JwtAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'

/** The algorithms of public keys (JWKS keys, `publicKey`/`privateKey`). */
export type AsymmetricAlgorithm = Exclude<JwtAlgorithm, 'HS256' | 'HS384' | 'HS512'>

export const HMAC_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze(['HS256', 'HS384', 'HS512'])
export const ASYMMETRIC_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
])
export const ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze([...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS])

export function isHmac(algorithm: JwtAlgorithm): boolean {
  return algorithm.charCodeAt(0) === 0x48 // 'H'
}

/**
 * Shortest HMAC secret per algorithm, in bytes: the hash's output size (RFC 7518 section 3.2 makes
 * it a MUST), so the secret is never the weak link.
 */
export const MIN_SECRET_BYTES: Readonly<Record<string, number>> = Object.freeze({ HS256: 32, HS384: 48, HS512: 64 })

/** Shortest RSA modulus accepted, in bits (RFC 7518 section 3.3). */
export const MIN_RSA_BITS = 2048

const CURVES: Readonly<Record<string, string>> = Object.freeze({
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
})

/**
 * Why an asymmetric key cannot be used with `algorithm`, or `undefined` when it can: the key type,
 * the curve and the RSA size must all fit, so an RSA key never stands in for an EC one.
 */
export function keyMismatch(algorithm: JwtAlgorithm, key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails ?? {}
  const family = algorithm.slice(0, 2)
  if (family === 'RS' || family === 'PS') {
    if (type !== 'rsa' && !(family === 'PS' && type === 'rsa-pss')) return `is a ${type} key, not an RSA key`
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
      return `is an RSA key of ${details.modulusLength} bits; at least ${MIN_RSA_BITS} are required`
    }
    return undefined
  }
  if (family === 'ES') {
    if (type !== 'ec') return `is a ${type} key, not an EC key`
    if (details.namedCurve !== CURVES[algorithm]) {
      return `is on curve ${details.namedCurve}; ${algorithm} needs ${CURVES[algorithm]}`
    }
    return undefined
  }
  if (type !== 'ed25519' && type !== 'ed448') return `is a ${type} key, not an Ed25519 or Ed448 key`
  return undefined
}

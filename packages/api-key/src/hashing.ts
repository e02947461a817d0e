import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** A server-side secret mixed into every key hash (HMAC-SHA-256) so a leaked hash table cannot be brute-forced offline. */
export type Pepper = string | Uint8Array

/** Length of a digest in bytes (SHA-256 / HMAC-SHA-256) and of its hex spelling. */
export const DIGEST_BYTES = 32
export const HASH_PATTERN: RegExp = /^[0-9a-f]{64}$/

/** The digest of a key: HMAC-SHA-256 with the pepper when there is one, SHA-256 otherwise. */
export function digestApiKey(key: string, pepper?: Pepper): Buffer {
  return pepper === undefined
    ? createHash('sha256').update(key, 'utf8').digest()
    : createHmac('sha256', pepper).update(key, 'utf8').digest()
}

/** The stored form of a key: its digest in lowercase hex (64 characters). */
export function hashApiKey(key: string, pepper?: Pepper): string {
  return digestApiKey(key, pepper).toString('hex')
}

/** Constant-time equality of two digests; `false` (not a throw) when the lengths differ. */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

export interface GenerateApiKeyOptions {
  /** Text before the random part, so secret scanners and humans recognise the key. Default `'rk_'`. */
  prefix?: string
  /** Random bytes in the key (16..128). Default 32 (256 bits). */
  bytes?: number
  /** The pepper the verifying strategy uses; the returned `hash` must be computed with the same one. */
  pepper?: Pepper
}

export interface GeneratedApiKey {
  /** The key to hand to the client, once. Never store it. */
  readonly key: string
  /** What to store (`keys: [{ hash }]`, `RedisApiKeyStore.put`): hex SHA-256, or HMAC-SHA-256 with the pepper. */
  readonly hash: string
}

const PREFIX_PATTERN = /^[A-Za-z0-9_-]{0,32}$/

/** A new random key (`rk_` + 43 base64url characters by default) and the hash to store for it. */
export function generateApiKey(options: GenerateApiKeyOptions = {}): GeneratedApiKey {
  const prefix = options.prefix ?? 'rk_'
  const bytes = options.bytes ?? 32
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new TypeError('generateApiKey: prefix must be 0..32 characters of A-Z a-z 0-9 _ -')
  }
  if (!Number.isSafeInteger(bytes) || bytes < 16 || bytes > 128) {
    throw new RangeError('generateApiKey: bytes must be an integer from 16 to 128')
  }
  const key = `${prefix}${randomBytes(bytes).toString('base64url')}`
  return Object.freeze({ key, hash: hashApiKey(key, options.pepper) })
}

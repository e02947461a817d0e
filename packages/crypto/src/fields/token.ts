import { decodeBase64Url } from '../encoding.js'
import { MalformedTokenError } from '../errors.js'

/**
 * The field token format, version 1 (ASCII, safe in URLs, JSON, SQL text columns and cookies):
 *
 *     v1.<key id>.<iv>.<ciphertext and tag>
 *
 * - `v1`: the format version; anything else is refused.
 * - key id: the keyring key that encrypted (1..32 of `A-Z a-z 0-9 _ -`).
 * - iv: the 96-bit random AES-GCM nonce, unpadded base64url (16 characters).
 * - ciphertext and tag: AES-256-GCM ciphertext followed by its 128-bit tag, unpadded base64url.
 *
 * The GCM additional data is the header `v1.<key id>.` followed by the caller's associated data, so
 * the version and key id are authenticated too.
 */
export const TOKEN_VERSION = 'v1'
export const IV_BYTES = 12
export const TAG_BYTES = 16

export interface ParsedToken {
  readonly keyId: string
  /** `v1.<key id>.`: the authenticated prefix of the GCM additional data. */
  readonly header: string
  readonly iv: Buffer
  readonly ciphertext: Buffer
  readonly tag: Buffer
}

const SHAPE = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/
const VERSIONED = /^v(\d{1,4})\./

/** `v1.<key id>.` */
export function tokenHeader(keyId: string): string {
  return `${TOKEN_VERSION}.${keyId}.`
}

export function formatToken(keyId: string, iv: Buffer, ciphertext: Buffer, tag: Buffer): string {
  return `${tokenHeader(keyId)}${iv.toString('base64url')}.${Buffer.concat([ciphertext, tag]).toString('base64url')}`
}

/** Splits a token into its parts; throws `RAMPART_CRYPTO_MALFORMED_TOKEN` for anything not exactly v1. */
export function parseToken(token: unknown): ParsedToken {
  if (typeof token !== 'string') {
    throw new MalformedTokenError(`a field token must be a string (got ${token === null ? 'null' : typeof token})`)
  }
  const match = SHAPE.exec(token)
  if (match === null) {
    const version = VERSIONED.exec(token)
    if (version !== null && version[1] !== '1') {
      throw new MalformedTokenError(`field token version v${version[1]} is not supported (only v1)`)
    }
    throw new MalformedTokenError('not a v1 field token (v1.<key id>.<iv>.<ciphertext>): wrong shape or truncated')
  }
  const keyId = match[1] as string
  const iv = decodeBase64Url(match[2] as string)
  const body = decodeBase64Url(match[3] as string)
  if (iv === null || iv.length !== IV_BYTES)
    throw new MalformedTokenError('the field token IV is not 96 bits of base64url')
  if (body === null || body.length < TAG_BYTES) {
    throw new MalformedTokenError('the field token ciphertext is not canonical base64url or is shorter than its tag')
  }
  return {
    keyId,
    header: tokenHeader(keyId),
    iv,
    ciphertext: body.subarray(0, body.length - TAG_BYTES),
    tag: body.subarray(body.length - TAG_BYTES),
  }
}

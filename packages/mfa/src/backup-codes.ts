import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Crockford's base32 alphabet: digits and upper-case letters without I, L, O and U, so a code read
 * aloud or copied by hand has no look-alikes. 32 symbols: each carries exactly 5 random bits.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const GROUP = 4
const HASH_VERSION = 'v1.'
const HKDF_SALT = Buffer.from('rampart:mfa:backup-code-key:v1', 'utf8')
/** Longest input looked at: a code with separators is far shorter; anything longer is refused unread. */
export const MAX_BACKUP_INPUT = 128

/** Input character -> canonical symbol (Crockford: O is 0, I and L are 1, any case); undefined: not one. */
const CANONICAL: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>()
  for (const symbol of ALPHABET) {
    map.set(symbol, symbol)
    map.set(symbol.toLowerCase(), symbol)
  }
  for (const [alias, symbol] of [
    ['O', '0'],
    ['o', '0'],
    ['I', '1'],
    ['i', '1'],
    ['L', '1'],
    ['l', '1'],
  ] as const) {
    map.set(alias, symbol)
  }
  return map
})()

/** The key backup codes are hashed with: HKDF-SHA-256 of the pepper, so the pepper is never an HMAC key itself. */
export function backupCodeKey(pepper: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', pepper, HKDF_SALT, Buffer.from('rampart:mfa:backup-codes', 'utf8'), 32))
}

/** A fresh random code of `length` symbols, shown as lower-case groups of four: `7k2m-9xq4-h3dz`. */
export function generateBackupCode(length: number): string {
  const bytes = randomBytes(length)
  let code = ''
  for (let index = 0; index < length; index++) {
    if (index > 0 && index % GROUP === 0) code += '-'
    // 256 is a multiple of 32: the low five bits of a random byte are uniform.
    code += (ALPHABET[(bytes[index] as number) & 31] as string).toLowerCase()
  }
  bytes.fill(0)
  return code
}

/**
 * The canonical form of a typed code (separators `-` and spaces dropped, case and Crockford's
 * look-alikes folded), or `null` when it is not `length` symbols of the alphabet. Never throws.
 */
export function normalizeBackupCode(input: string, length: number): string | null {
  if (input.length > MAX_BACKUP_INPUT) return null
  let code = ''
  for (const character of input) {
    if (character === '-' || character === ' ') continue
    const symbol = CANONICAL.get(character)
    if (symbol === undefined) return null
    code += symbol
  }
  return code.length === length ? code : null
}

/**
 * The stored form of a code: `v1.` and HMAC-SHA-256 (base64url) under the pepper's key, over the
 * user id and the canonical code, so a hash copied to another user's record matches nothing.
 */
export function hashBackupCode(key: Buffer, userId: string, canonicalCode: string): string {
  const mac = createHmac('sha256', key).update(userId, 'utf8').update('\0').update(canonicalCode, 'latin1').digest()
  return HASH_VERSION + mac.toString('base64url')
}

/**
 * The index in `hashes` of the one equal to `hash`, or -1. Every entry is compared in constant
 * time (no early exit); entries of another length (not ours) never match.
 */
export function findBackupCode(hashes: readonly string[], hash: string): number {
  const wanted = Buffer.from(hash, 'latin1')
  let found = -1
  for (let index = 0; index < hashes.length; index++) {
    const stored = Buffer.from(hashes[index] as string, 'latin1')
    if (stored.length === wanted.length && timingSafeEqual(stored, wanted) && found === -1) found = index
  }
  return found
}

import { pbkdf2 } from 'node:crypto'
import { decodePaddedBase64Url } from '../encoding.js'
import { UnsupportedHashError } from '../errors.js'
import { MAX_DIGEST_BYTES, MAX_SALT_BYTES, MIN_DIGEST_BYTES, type ParsedPasswordHash } from './stored-hash.js'

/**
 * What the seed's `DataEncryption.hash_password` returns, as two strings: `hash` is
 * `urlsafe_b64encode(PBKDF2-HMAC-SHA256(password.encode(), salt, 100000, 32))` and `salt` is
 * `urlsafe_b64encode(os.urandom(32))` (padded base64url, 44 characters each).
 */
export interface SeedPbkdf2Hash {
  readonly hash: string
  readonly salt: string
}

/** The seed's iteration count. */
export const SEED_ITERATIONS = 100_000
const MAX_ITERATIONS = 2_000_000

function derive(password: Buffer, salt: Buffer, iterations: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, length, 'sha256', (error, digest) => (error ? reject(error) : resolve(digest)))
  })
}

function parsed(salt: Buffer, expected: Buffer, iterations: number): ParsedPasswordHash {
  return {
    scheme: 'pbkdf2-sha256',
    expected,
    // The seed hashed `password.encode()`: raw UTF-8, never normalised.
    normalize: false,
    derive: (password) => derive(password, salt, iterations, expected.length),
    // Always replaced: 100,000 iterations of PBKDF2-SHA256 is a sixth of OWASP's 600,000, and the
    // suite's policy is Argon2id or scrypt.
    outdated: () => true,
  }
}

function decodeParts(saltText: string, hashText: string): [Buffer, Buffer] {
  const salt = decodePaddedBase64Url(saltText)
  const expected = decodePaddedBase64Url(hashText)
  if (salt === null || salt.length === 0 || salt.length > MAX_SALT_BYTES) {
    throw new UnsupportedHashError('the PBKDF2 salt is not urlsafe base64 (as the seed stores it)')
  }
  if (expected === null || expected.length < MIN_DIGEST_BYTES || expected.length > MAX_DIGEST_BYTES) {
    throw new UnsupportedHashError('the PBKDF2 hash is not 16..128 bytes of urlsafe base64 (as the seed stores it)')
  }
  return [salt, expected]
}

/** The seed's `(hash, salt)` pair as an object. */
export function parseSeedPbkdf2Pair(stored: SeedPbkdf2Hash): ParsedPasswordHash {
  if (typeof stored.hash !== 'string' || typeof stored.salt !== 'string') {
    throw new UnsupportedHashError('a seed PBKDF2 hash must be { hash: string, salt: string }')
  }
  const [salt, expected] = decodeParts(stored.salt, stored.hash)
  return parsed(salt, expected, SEED_ITERATIONS)
}

const PBKDF2 = /^\$pbkdf2-sha256\$i=([1-9][0-9]{0,9})\$([^$]*)\$([^$]*)$/

/**
 * The one-column spelling of the seed's pair: `$pbkdf2-sha256$i=100000$<salt>$<hash>`, the two parts
 * exactly as the seed returned them. Null when the string is not PBKDF2 at all.
 */
export function parseSeedPbkdf2String(stored: string): ParsedPasswordHash | null {
  if (!stored.startsWith('$pbkdf2-sha256$')) return null
  const match = PBKDF2.exec(stored)
  if (match === null)
    throw new UnsupportedHashError('the PBKDF2 hash is not $pbkdf2-sha256$i=<iterations>$<salt>$<hash>')
  const iterations = Number(match[1])
  if (iterations > MAX_ITERATIONS) {
    throw new UnsupportedHashError(`the PBKDF2 iteration count ${iterations} is over ${MAX_ITERATIONS}`)
  }
  const [salt, expected] = decodeParts(match[2] as string, match[3] as string)
  return parsed(salt, expected, iterations)
}

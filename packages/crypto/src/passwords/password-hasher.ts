import { randomBytes, timingSafeEqual } from 'node:crypto'
import { passwordRehashedChannel } from '../diagnostics.js'
import { InvalidArgumentError, PasswordEmptyError, PasswordTooLongError, UnsupportedHashError } from '../errors.js'
import {
  type PasswordHasherOptions,
  type ResolvedPasswordHasherOptions,
  resolvePasswordHasherOptions,
} from '../options.js'
import { hashArgon2id, parseArgon2 } from './argon2.js'
import { hashScrypt, parseScrypt } from './scrypt.js'
import { parseSeedPbkdf2Pair, parseSeedPbkdf2String, type SeedPbkdf2Hash } from './seed-pbkdf2.js'
import type { ParsedPasswordHash } from './stored-hash.js'

/**
 * A stored password hash: a PHC string (`$argon2id$...`, `$scrypt$...`, `$pbkdf2-sha256$i=...`), the
 * seed's `{ hash, salt }` pair, or null/undefined for "no such user" (checked against a decoy, so an
 * unknown name costs as much as a wrong password).
 */
export type StoredPasswordHash = string | SeedPbkdf2Hash | null | undefined

export interface PasswordVerification {
  /** The password matches the stored hash. */
  readonly valid: boolean
  /**
   * The password matched and the hash was made with another scheme or other costs than the current
   * policy (always for the seed's PBKDF2): store `await hasher.hash(password)` in its place.
   * Never true when `valid` is false, so a wrong password can never replace a hash.
   */
  readonly needsRehash: boolean
}

export interface PasswordRehash {
  /** The password matches the stored hash. */
  readonly valid: boolean
  /** The hash to store instead of the old one when it was valid and outdated; null otherwise. */
  readonly rehashed: string | null
}

const NOT_VALID: PasswordVerification = Object.freeze({ valid: false, needsRehash: false })

/**
 * Password hashing with Argon2id (default, OWASP m = 19 MiB, t = 2, p = 1) or scrypt (N = 2^17,
 * r = 8, p = 1), PHC strings, constant-time verification, rehash on verify, and the seed's PBKDF2
 * hashes read for migration. All work runs on the thread pool, off the event loop.
 */
export class PasswordHasher {
  readonly options: ResolvedPasswordHasherOptions
  #decoy: Promise<ParsedPasswordHash> | null = null

  constructor(options: PasswordHasherOptions = {}) {
    this.options = resolvePasswordHasherOptions(options)
  }

  /**
   * Hashes a password with the current policy. Throws `RAMPART_CRYPTO_PASSWORD_EMPTY` (400) for `''`
   * and `RAMPART_CRYPTO_PASSWORD_TOO_LONG` (400) past `maxPasswordBytes`.
   */
  async hash(password: string): Promise<string> {
    const bytes = this.#passwordBytes(password, true)
    if (bytes === null) {
      throw new PasswordTooLongError(`the password is longer than ${this.options.maxPasswordBytes} bytes`)
    }
    if (bytes.length === 0) throw new PasswordEmptyError('the password is empty')
    try {
      return this.options.algorithm === 'argon2id'
        ? await hashArgon2id(bytes, this.options)
        : await hashScrypt(bytes, this.options)
    } finally {
      bytes.fill(0)
    }
  }

  /**
   * Checks a password against a stored hash in constant time. A password over `maxPasswordBytes` is
   * simply not valid. A stored hash in no known format throws `RAMPART_CRYPTO_UNSUPPORTED_HASH`.
   */
  async verify(stored: StoredPasswordHash, password: string): Promise<PasswordVerification> {
    const parsed = stored === null || stored === undefined ? null : parseStoredHash(stored)
    const target = parsed ?? (await this.#decoyHash())
    const bytes = this.#passwordBytes(password, target.normalize)
    if (bytes === null) return NOT_VALID
    let matches: boolean
    try {
      const digest = await target.derive(bytes)
      matches = digest.length === target.expected.length && timingSafeEqual(digest, target.expected)
    } finally {
      bytes.fill(0)
    }
    if (parsed === null || !matches) return NOT_VALID
    return Object.freeze({ valid: true, needsRehash: parsed.outdated(this.options) })
  }

  /** `verify`, and when the password is valid but the hash outdated, a new hash to store in its place. */
  async verifyAndRehash(stored: StoredPasswordHash, password: string): Promise<PasswordRehash> {
    const { valid, needsRehash } = await this.verify(stored, password)
    if (!needsRehash) return Object.freeze({ valid, rehashed: null })
    const rehashed = await this.hash(password)
    if (passwordRehashedChannel.hasSubscribers) {
      passwordRehashedChannel.publish({
        from: parseStoredHash(stored as string | SeedPbkdf2Hash).scheme,
        to: this.options.algorithm,
      })
    }
    return Object.freeze({ valid, rehashed })
  }

  /**
   * Whether a stored hash would be replaced on the next successful login (other scheme or costs
   * than the current policy), without a password: for migration reports.
   */
  needsRehash(stored: string | SeedPbkdf2Hash): boolean {
    return parseStoredHash(stored).outdated(this.options)
  }

  /** UTF-8 bytes of the password (NFKC first when configured and `normalize`); null when too long. */
  #passwordBytes(password: unknown, normalize: boolean): Buffer | null {
    if (typeof password !== 'string') {
      throw new InvalidArgumentError(
        `a password must be a string (got ${password === null ? 'null' : typeof password})`,
      )
    }
    const max = this.options.maxPasswordBytes
    // UTF-8 never takes fewer bytes than UTF-16 code units: refuse a huge string before normalising it.
    if (password.length > max) return null
    const text = normalize && this.options.normalization === 'NFKC' ? password.normalize('NFKC') : password
    const bytes = Buffer.from(text, 'utf8')
    return bytes.length > max ? null : bytes
  }

  /** A hash of a random password at the current policy, made once; not kept if making it failed. */
  #decoyHash(): Promise<ParsedPasswordHash> {
    this.#decoy ??= this.hash(randomBytes(24).toString('base64url'))
      .then(parseStoredHash)
      .catch((error: unknown) => {
        this.#decoy = null
        throw error
      })
    return this.#decoy
  }
}

/** Parses any hash the hasher reads; throws `RAMPART_CRYPTO_UNSUPPORTED_HASH` otherwise. */
function parseStoredHash(stored: string | SeedPbkdf2Hash): ParsedPasswordHash {
  if (typeof stored === 'string') {
    const parsed = parseArgon2(stored) ?? parseScrypt(stored) ?? parseSeedPbkdf2String(stored)
    if (parsed !== null) return parsed
    throw new UnsupportedHashError(
      'the stored password hash is not $argon2id$, $scrypt$, $pbkdf2-sha256$ or the seed { hash, salt } pair',
    )
  }
  if (stored !== null && typeof stored === 'object') return parseSeedPbkdf2Pair(stored)
  throw new UnsupportedHashError(`a stored password hash must be a string or { hash, salt } (got ${typeof stored})`)
}

import { OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** One key of a keyring. */
export interface KeyringKey {
  /** The id written into every token made with this key: 1..32 characters of `A-Z a-z 0-9 _ -`. */
  id: string
  /**
   * The master secret, at least 32 bytes: a string is taken as its UTF-8 bytes (e.g. the output of
   * `openssl rand -base64 32`), a `Uint8Array` as is. Field keys are derived from it with HKDF-SHA-256;
   * it is never used as a key directly, never padded and never truncated.
   */
  secret: string | Uint8Array
}

/** Options of `new Keyring()`. */
export interface KeyringOptions {
  /** Every key that may still be needed to decrypt, the current one included. Required, non-empty. */
  keys: readonly KeyringKey[]
  /** The id of the key new tokens are encrypted with. Required; must be one of `keys`. */
  current: string
  /**
   * What the keyring protects, e.g. `'mfa:totp'`; part of the HKDF info, so a token made for one purpose
   * never decrypts under another. 1..64 characters of `a-z 0-9 . _ : -`. Default: `'default'`.
   */
  purpose?: string
}

/** The keyring options after validation: secrets copied into Buffers. */
export interface ResolvedKeyringOptions {
  readonly keys: readonly { readonly id: string; readonly secret: Buffer }[]
  readonly current: string
  readonly purpose: string
}

/** Argon2id cost parameters (RFC 9106). */
export interface Argon2Options {
  /** Memory in KiB (`m`). Default 19456 (19 MiB, OWASP). */
  memoryCost?: number
  /** Passes over memory (`t`). Default 2 (OWASP). */
  timeCost?: number
  /** Lanes (`p`). Default 1 (OWASP). */
  parallelism?: number
}

/** scrypt cost parameters (RFC 7914), named as in `node:crypto`. */
export interface ScryptOptions {
  /** N, a power of two. Default 131072 (2^17, 128 MiB with r = 8; OWASP). */
  cost?: number
  /** r. Default 8 (OWASP). */
  blockSize?: number
  /** p. Default 1 (OWASP). */
  parallelization?: number
}

/** Options of `new PasswordHasher()`. */
export interface PasswordHasherOptions {
  /** The scheme of new hashes: `'argon2id'` or `'scrypt'`. Default `'argon2id'`. Both are always verified. */
  algorithm?: 'argon2id' | 'scrypt'
  /** Argon2id costs. Must be at least as strong as OWASP's weakest listed trade-off (m >= 7168, m x t >= 35840). */
  argon2?: Argon2Options
  /** scrypt costs. Must be at least as strong as OWASP's weakest listed trade-off (N >= 2^13, r >= 8, N x p >= 81920). */
  scrypt?: ScryptOptions
  /**
   * Unicode normalisation applied to a password before hashing and verifying Argon2/scrypt hashes:
   * `'NFKC'` (NIST SP 800-63B 5.1.1.2) so the same password typed on two keyboards matches, or `'none'`.
   * Changing it later breaks non-ASCII passwords hashed before. Default `'NFKC'`.
   * The seed's PBKDF2 hashes are always verified on the raw UTF-8 bytes, as the seed made them.
   */
  normalization?: 'NFKC' | 'none'
  /** Longest password accepted, in UTF-8 bytes after normalisation (64..16384). Default 1024. */
  maxPasswordBytes?: number
}

export interface ResolvedPasswordHasherOptions {
  readonly algorithm: 'argon2id' | 'scrypt'
  readonly argon2: Readonly<Required<Argon2Options>>
  readonly scrypt: Readonly<Required<ScryptOptions>>
  readonly normalization: 'NFKC' | 'none'
  readonly maxPasswordBytes: number
}

export const DEFAULTS: {
  readonly keyring: { readonly purpose: string }
  readonly passwords: ResolvedPasswordHasherOptions
} = Object.freeze({
  keyring: Object.freeze({ purpose: 'default' }),
  passwords: Object.freeze({
    algorithm: 'argon2id',
    argon2: Object.freeze({ memoryCost: 19456, timeCost: 2, parallelism: 1 }),
    scrypt: Object.freeze({ cost: 2 ** 17, blockSize: 8, parallelization: 1 }),
    normalization: 'NFKC',
    maxPasswordBytes: 1024,
  }),
})

/** Key ids: they sit between dots in a token, so no dot; short, so a token stays compact. */
export const KEY_ID_PATTERN: RegExp = /^[A-Za-z0-9_-]{1,32}$/
const PURPOSE_PATTERN = /^[a-z0-9][a-z0-9._:-]{0,63}$/
export const MIN_SECRET_BYTES = 32
const MAX_SECRET_BYTES = 1024

/** The largest memory a hash may ask for, configured or stored: 1 GiB. */
export const MAX_MEMORY_BYTES: number = 1024 * 1024 * 1024

const validate = new OptionValidator(PACKAGE)

/** Validates keyring options; throws `RAMPART_CRYPTO_INVALID_OPTION` naming the option. */
export function resolveKeyringOptions(options: KeyringOptions): ResolvedKeyringOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, ['keys', 'current', 'purpose'])
  if (!Array.isArray(given.keys) || given.keys.length === 0) {
    validate.fail('keys', 'must be a non-empty array of { id, secret }', given.keys)
  }
  const seen = new Set<string>()
  const keys = (given.keys as unknown[]).map((entry, index) => {
    const where = `keys[${index}]`
    const key = validate.object(where, entry)
    validate.knownKeys(where, key, ['id', 'secret'])
    const id = validate.string(`${where}.id`, key.id, { pattern: KEY_ID_PATTERN })
    if (seen.has(id)) validate.fail(`${where}.id`, 'repeats a key id already in the keyring', id)
    seen.add(id)
    return Object.freeze({ id, secret: secretBytes(`${where}.secret`, key.secret) })
  })
  const current = validate.string('current', given.current, { pattern: KEY_ID_PATTERN })
  if (!seen.has(current))
    validate.fail('current', `must be the id of one of the keys (${[...seen].join(', ')})`, current)
  const purpose = validate.string('purpose', given.purpose ?? DEFAULTS.keyring.purpose, { pattern: PURPOSE_PATTERN })
  return Object.freeze({ keys: Object.freeze(keys), current, purpose })
}

/** Validates a purpose given to `Keyring.forPurpose`. */
export function resolvePurpose(purpose: unknown): string {
  return validate.string('purpose', purpose, { pattern: PURPOSE_PATTERN })
}

function secretBytes(option: string, value: unknown): Buffer {
  let bytes: Buffer
  if (typeof value === 'string') bytes = Buffer.from(value, 'utf8')
  else if (value instanceof Uint8Array) bytes = Buffer.from(value)
  else return validate.fail(option, 'must be a string or a Uint8Array', value)
  if (bytes.length < MIN_SECRET_BYTES) {
    // The value is a secret: say how short it is, never what it is.
    validate.fail(
      option,
      `must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes.length}); use e.g. openssl rand -base64 32`,
    )
  }
  if (bytes.length > MAX_SECRET_BYTES)
    validate.fail(option, `must be at most ${MAX_SECRET_BYTES} bytes (got ${bytes.length})`)
  return bytes
}

/** Validates password hasher options; throws `RAMPART_CRYPTO_INVALID_OPTION` naming the option. */
export function resolvePasswordHasherOptions(options: PasswordHasherOptions = {}): ResolvedPasswordHasherOptions {
  const given = validate.object('', options)
  const defaults = DEFAULTS.passwords
  validate.knownKeys('', given, Object.keys(defaults))
  const algorithm = validate.oneOf('algorithm', given.algorithm ?? defaults.algorithm, ['argon2id', 'scrypt'] as const)

  const argon2Given = validate.object('argon2', given.argon2 ?? {})
  validate.knownKeys('argon2', argon2Given, Object.keys(defaults.argon2))
  const memoryCost = validate.integer('argon2.memoryCost', argon2Given.memoryCost ?? defaults.argon2.memoryCost, {
    min: 7168,
    max: MAX_MEMORY_BYTES / 1024,
  })
  const timeCost = validate.integer('argon2.timeCost', argon2Given.timeCost ?? defaults.argon2.timeCost, {
    min: 1,
    max: 20,
  })
  const parallelism = validate.integer('argon2.parallelism', argon2Given.parallelism ?? defaults.argon2.parallelism, {
    min: 1,
    max: 16,
  })
  if (memoryCost * timeCost < 35840) {
    validate.fail('argon2.memoryCost', `x timeCost must be >= 35840 (OWASP); ${memoryCost} x ${timeCost} is weaker`)
  }

  const scryptGiven = validate.object('scrypt', given.scrypt ?? {})
  validate.knownKeys('scrypt', scryptGiven, Object.keys(defaults.scrypt))
  const cost = validate.integer('scrypt.cost', scryptGiven.cost ?? defaults.scrypt.cost, { min: 2 ** 13, max: 2 ** 20 })
  if ((cost & (cost - 1)) !== 0) validate.fail('scrypt.cost', 'must be a power of two', cost)
  const blockSize = validate.integer('scrypt.blockSize', scryptGiven.blockSize ?? defaults.scrypt.blockSize, {
    min: 8,
    max: 32,
  })
  const parallelization = validate.integer(
    'scrypt.parallelization',
    scryptGiven.parallelization ?? defaults.scrypt.parallelization,
    { min: 1, max: 16 },
  )
  if (cost * parallelization < 81920) {
    validate.fail('scrypt.cost', `x parallelization must be >= 81920 (OWASP); ${cost} x ${parallelization} is weaker`)
  }
  if (128 * cost * blockSize > MAX_MEMORY_BYTES) {
    validate.fail('scrypt.blockSize', `with cost ${cost} needs more than 1 GiB of memory`, blockSize)
  }

  return Object.freeze({
    algorithm,
    argon2: Object.freeze({ memoryCost, timeCost, parallelism }),
    scrypt: Object.freeze({ cost, blockSize, parallelization }),
    normalization: validate.oneOf('normalization', given.normalization ?? defaults.normalization, [
      'NFKC',
      'none',
    ] as const),
    maxPasswordBytes: validate.integer('maxPasswordBytes', given.maxPasswordBytes ?? defaults.maxPasswordBytes, {
      min: 64,
      max: 16384,
    }),
  })
}

import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto'
import { decryptFailedChannel } from '../diagnostics.js'
import { DecryptFailedError, InvalidArgumentError, NotTextError, UnknownKeyError } from '../errors.js'
import { type KeyringOptions, type ResolvedKeyringOptions, resolveKeyringOptions, resolvePurpose } from '../options.js'
import { formatToken, IV_BYTES, type ParsedToken, parseToken, TAG_BYTES, tokenHeader } from './token.js'

/** Associated data: bound to the ciphertext but not stored in it, e.g. `users:42:mfa_secret`. */
export interface FieldCryptoOptions {
  /**
   * Context the token belongs to (record id and field name, say). Decryption must be given the same
   * value, so a token copied to another row or column fails. A string is taken as UTF-8. Default: none.
   */
  aad?: string | Uint8Array
}

/** The fixed HKDF salt: a domain label, the same for every Rampart keyring (RFC 5869 allows a non-secret salt). */
const HKDF_SALT = Buffer.from('rampart:crypto:field-key:v1', 'utf8')
const KEY_BYTES = 32
const CIPHER = 'aes-256-gcm'
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Field encryption with AES-256-GCM under keys derived by HKDF-SHA-256 from master secrets, with key
 * ids for rotation: `encrypt` uses the current key, `decrypt` any key of the ring. Tokens are
 * `v1.<key id>.<iv>.<ciphertext+tag>` (see README). Every failure is a coded error; no plaintext is
 * ever returned from a token that fails authentication.
 */
export class Keyring {
  readonly #options: ResolvedKeyringOptions
  readonly #keys: ReadonlyMap<string, KeyObject>

  constructor(options: KeyringOptions) {
    this.#options = resolveKeyringOptions(options)
    const info = Buffer.from(`rampart:field:${this.#options.purpose}`, 'utf8')
    this.#keys = new Map(
      this.#options.keys.map(({ id, secret }) => [
        id,
        createSecretKey(Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, info, KEY_BYTES))),
      ]),
    )
  }

  /** The key id new tokens are encrypted with. */
  get currentKeyId(): string {
    return this.#options.current
  }

  /** Every key id this keyring can decrypt. */
  get keyIds(): readonly string[] {
    return [...this.#keys.keys()]
  }

  /** The purpose in the key derivation. */
  get purpose(): string {
    return this.#options.purpose
  }

  /** The same secrets for another purpose: keys independent of this keyring's (a different HKDF info). */
  forPurpose(purpose: string): Keyring {
    const { keys, current } = this.#options
    return new Keyring({ keys, current, purpose: resolvePurpose(purpose) })
  }

  /** Encrypts with the current key and a fresh random 96-bit IV. */
  encrypt(plaintext: string | Uint8Array, options: FieldCryptoOptions = {}): string {
    const data = bytesOf('plaintext', plaintext)
    const keyId = this.#options.current
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv(CIPHER, this.#keys.get(keyId) as KeyObject, iv, { authTagLength: TAG_BYTES })
    cipher.setAAD(additionalData(tokenHeader(keyId), options))
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()])
    return formatToken(keyId, iv, ciphertext, cipher.getAuthTag())
  }

  /**
   * Decrypts and authenticates a token made by any key of the ring. Throws `RAMPART_CRYPTO_MALFORMED_TOKEN`,
   * `RAMPART_CRYPTO_UNKNOWN_KEY` or `RAMPART_CRYPTO_DECRYPT_FAILED` (wrong key, purpose or aad; altered).
   */
  decrypt(token: string, options: FieldCryptoOptions = {}): Buffer {
    const aad = options.aad
    if (aad !== undefined) bytesOf('aad', aad)
    let parsed: ParsedToken | null = null
    try {
      parsed = parseToken(token)
      return this.#open(parsed, options)
    } catch (error) {
      if (decryptFailedChannel.hasSubscribers) {
        const code = (error as { code?: string }).code ?? 'UNKNOWN'
        decryptFailedChannel.publish({ purpose: this.#options.purpose, keyId: parsed?.keyId ?? null, code })
      }
      throw error
    }
  }

  /** `decrypt`, then UTF-8 (strict: `RAMPART_CRYPTO_NOT_TEXT` for bytes that are not UTF-8). */
  decryptText(token: string, options: FieldCryptoOptions = {}): string {
    const bytes = this.decrypt(token, options)
    try {
      return utf8.decode(bytes)
    } catch {
      throw new NotTextError('the decrypted field is not UTF-8 text; use decrypt() for bytes')
    } finally {
      bytes.fill(0)
    }
  }

  /** Whether the token was made with a key other than the current one (reads the header only). */
  needsReencryption(token: string): boolean {
    return parseToken(token).keyId !== this.#options.current
  }

  /**
   * Decrypts (authenticating it) and, when the token was made with an older key, encrypts it again
   * with the current one; a token already under the current key is returned unchanged.
   */
  reencrypt(token: string, options: FieldCryptoOptions = {}): string {
    const plaintext = this.decrypt(token, options)
    try {
      return parseToken(token).keyId === this.#options.current ? token : this.encrypt(plaintext, options)
    } finally {
      plaintext.fill(0)
    }
  }

  #open(parsed: ParsedToken, options: FieldCryptoOptions): Buffer {
    const key = this.#keys.get(parsed.keyId)
    if (key === undefined) {
      throw new UnknownKeyError(
        `the field token was encrypted with key "${parsed.keyId}", which is not in the keyring (${this.keyIds.join(', ')})`,
      )
    }
    const decipher = createDecipheriv(CIPHER, key, parsed.iv, { authTagLength: TAG_BYTES })
    decipher.setAAD(additionalData(parsed.header, options))
    decipher.setAuthTag(parsed.tag)
    const plaintext = decipher.update(parsed.ciphertext)
    try {
      return Buffer.concat([plaintext, decipher.final()])
    } catch {
      plaintext.fill(0)
      throw new DecryptFailedError(
        `the field token failed authentication under key "${parsed.keyId}" (purpose "${this.#options.purpose}"): ` +
          'wrong key or purpose, different associated data, or the token was altered',
      )
    }
  }
}

function additionalData(header: string, options: FieldCryptoOptions): Buffer {
  const prefix = Buffer.from(header, 'utf8')
  return options.aad === undefined ? prefix : Buffer.concat([prefix, bytesOf('aad', options.aad)])
}

function bytesOf(name: string, value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new InvalidArgumentError(
    `${name} must be a string or a Uint8Array (got ${value === null ? 'null' : typeof value})`,
  )
}

import { EventChannel } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** `rampart:crypto:decrypt-failed`: a field token was refused (malformed, unknown key, failed authentication). */
export interface DecryptFailedEvent {
  /** The keyring's purpose, e.g. `'mfa:totp'`. */
  purpose: string
  /** The key id the token names, or null when the token was too malformed to name one. */
  keyId: string | null
  /** The error code thrown: `RAMPART_CRYPTO_MALFORMED_TOKEN`, `..._UNKNOWN_KEY` or `..._DECRYPT_FAILED`. */
  code: string
}

/** `rampart:crypto:password-rehashed`: `verifyAndRehash` replaced a valid hash made with outdated parameters. */
export interface PasswordRehashedEvent {
  /** The scheme of the old hash: `'argon2id'`, `'argon2i'`, `'argon2d'`, `'scrypt'` or `'pbkdf2-sha256'`. */
  from: string
  /** The scheme of the new hash: `'argon2id'` or `'scrypt'`. */
  to: string
}

export const decryptFailedChannel: EventChannel<DecryptFailedEvent> = new EventChannel<DecryptFailedEvent>(
  PACKAGE,
  'decrypt-failed',
)

export const passwordRehashedChannel: EventChannel<PasswordRehashedEvent> = new EventChannel<PasswordRehashedEvent>(
  PACKAGE,
  'password-rehashed',
)

import { defineError } from '@rampart/core'

export const PACKAGE = 'crypto'

/**
 * `RAMPART_CRYPTO_MALFORMED_TOKEN`: the value given to `decrypt` is not a well-formed `v1` field token
 * (wrong shape, unknown version, bad base64url, truncated). Nothing was decrypted.
 */
export const MalformedTokenError = defineError(PACKAGE, 'MALFORMED_TOKEN', '@rampart/crypto: %s', 500)

/** `RAMPART_CRYPTO_UNKNOWN_KEY`: the token names a key id that is not in the keyring (retired too early?). */
export const UnknownKeyError = defineError(PACKAGE, 'UNKNOWN_KEY', '@rampart/crypto: %s', 500)

/**
 * `RAMPART_CRYPTO_DECRYPT_FAILED`: AES-GCM authentication failed: the key (or purpose) is not the one
 * that encrypted, the associated data differs, or the token was altered. No plaintext is released.
 */
export const DecryptFailedError = defineError(PACKAGE, 'DECRYPT_FAILED', '@rampart/crypto: %s', 500)

/** `RAMPART_CRYPTO_NOT_TEXT`: `decryptText` found bytes that are not valid UTF-8 (they were encrypted as bytes). */
export const NotTextError = defineError(PACKAGE, 'NOT_TEXT', '@rampart/crypto: %s', 500)

/** `RAMPART_CRYPTO_INVALID_ARGUMENT`: a method was called with an argument of the wrong type (a programming error). */
export const InvalidArgumentError = defineError(PACKAGE, 'INVALID_ARGUMENT', '@rampart/crypto: %s', 500)

/**
 * `RAMPART_CRYPTO_UNSUPPORTED_HASH`: a stored password hash is in no format the hasher reads, or its
 * parameters are outside the bounds it accepts (so a corrupt row cannot demand gigabytes of memory).
 */
export const UnsupportedHashError = defineError(PACKAGE, 'UNSUPPORTED_HASH', '@rampart/crypto: %s', 500)

/** `RAMPART_CRYPTO_PASSWORD_TOO_LONG` (400): `hash` was given a password over `maxPasswordBytes`. */
export const PasswordTooLongError = defineError(PACKAGE, 'PASSWORD_TOO_LONG', '@rampart/crypto: %s', 400)

/** `RAMPART_CRYPTO_PASSWORD_EMPTY` (400): `hash` was given an empty password. */
export const PasswordEmptyError = defineError(PACKAGE, 'PASSWORD_EMPTY', '@rampart/crypto: %s', 400)

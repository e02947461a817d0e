export {
  type DecryptFailedEvent,
  decryptFailedChannel,
  type PasswordRehashedEvent,
  passwordRehashedChannel,
} from './diagnostics.js'
export {
  DecryptFailedError,
  InvalidArgumentError,
  MalformedTokenError,
  NotTextError,
  PACKAGE,
  PasswordEmptyError,
  PasswordTooLongError,
  UnknownKeyError,
  UnsupportedHashError,
} from './errors.js'
export { type FieldCryptoOptions, Keyring } from './fields/keyring.js'
export { TOKEN_VERSION } from './fields/token.js'
export {
  type Argon2Options,
  DEFAULTS,
  type KeyringKey,
  type KeyringOptions,
  type PasswordHasherOptions,
  type ResolvedKeyringOptions,
  type ResolvedPasswordHasherOptions,
  resolveKeyringOptions,
  resolvePasswordHasherOptions,
  type ScryptOptions,
} from './options.js'
export {
  PasswordHasher,
  type PasswordRehash,
  type PasswordVerification,
  type StoredPasswordHash,
} from './passwords/password-hasher.js'
export type { SeedPbkdf2Hash } from './passwords/seed-pbkdf2.js'
export type { PasswordScheme } from './passwords/stored-hash.js'

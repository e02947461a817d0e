import { OptionValidator } from '@rampart/core'
import type { Keyring } from '@rampart/crypto'
import { PACKAGE } from './errors.js'
import { MEMORY_STORE_DEFAULTS } from './memory-store.js'
import type { OtpAlgorithm } from './one-time-password.js'
import type { MfaStore } from './store.js'

/** QR code error correction: L 7%, M 15%, Q 25%, H 30% of the symbol may be damaged. */
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H'

/** How the provisioning QR code is drawn. */
export interface QrCodeOptions {
  /** Error correction level. Default `'M'`. */
  errorCorrectionLevel?: QrErrorCorrection
  /** Quiet zone around the symbol, in modules (the QR specification asks for 4). Default 4. */
  margin?: number
  /** Width of the PNG in pixels (64..2048). Default 256. */
  width?: number
}

/** Options of `createMfa()` (and of the plugin, which passes them on). */
export interface MfaOptions {
  /**
   * The @rampart/crypto keyring TOTP secrets are encrypted with. Required. A keyring for purpose
   * `mfa:totp` is derived from it (`forPurpose`), so its keys serve nothing else; the user id is the
   * associated data, so a ciphertext copied to another user's record does not decrypt.
   */
  keyring: Keyring
  /**
   * Server secret backup codes are hashed with (HMAC-SHA-256 under a key derived by HKDF), at least
   * 32 bytes; a string is taken as UTF-8. Required. Changing it invalidates every backup code.
   */
  pepper: string | Uint8Array
  /** Who the account is with, as authenticator apps show it (`issuer` of the URI; no `:`). Required. */
  issuer: string
  /** Where records are kept. Default: a `MemoryMfaStore` of `maxRecords`. */
  store?: MfaStore
  /** Bound of the default memory store. Default 100,000. Not used with `store`. */
  maxRecords?: number
  /** Clock in epoch milliseconds. Default `Date.now`. */
  now?: () => number
  /** Time steps accepted either side of the current one, for clock drift (0..5). Default 1 (RFC 6238 section 5.2). */
  window?: number
  /** HMAC of new enrolments. Default `'SHA1'`: several authenticator apps ignore the parameter and use SHA-1. */
  algorithm?: OtpAlgorithm
  /** Digits of a code of new enrolments (6..8). Default 6. */
  digits?: number
  /** Seconds per time step of new enrolments (15..300). Default 30. */
  period?: number
  /** Random bytes of a new secret (16..64; RFC 4226 asks for at least 16 and recommends 20). Default 20 (160 bits). */
  secretBytes?: number
  /** Backup codes made by `setup` and `regenerateBackupCodes` (0..50; 0: none). Default 10. */
  backupCodeCount?: number
  /** Symbols of a backup code, 5 random bits each (10..32). Default 12 (60 bits), shown as `xxxx-xxxx-xxxx`. */
  backupCodeLength?: number
  /** Failed codes in a row after which the user is locked out (1..100). Default 5. */
  maxFailures?: number
  /** Seconds of the first lockout; each further `maxFailures` failures double it (1..86400). Default 60. */
  lockout?: number
  /** Longest lockout, in seconds (>= `lockout`, <= 604800). Default 86400 (a day). */
  maxLockout?: number
  /** How the QR code is drawn. */
  qrCode?: QrCodeOptions
}

/** The `createMfa` options after defaults and validation. Durations in milliseconds. */
export interface ResolvedMfaOptions {
  readonly keyring: Keyring
  readonly pepper: Buffer
  readonly issuer: string
  readonly store: MfaStore | null
  readonly maxRecords: number
  readonly now: () => number
  readonly window: number
  readonly algorithm: OtpAlgorithm
  readonly digits: number
  readonly period: number
  readonly secretBytes: number
  readonly backupCodeCount: number
  readonly backupCodeLength: number
  readonly maxFailures: number
  readonly lockout: number
  readonly maxLockout: number
  readonly qrCode: Readonly<Required<QrCodeOptions>>
}

/** The hooks the route check can run in. */
export type MfaHook = 'onRequest' | 'preValidation' | 'preHandler'

/** Options of the Fastify plugin: those of `createMfa` and the route check's. */
export interface MfaPluginOptions extends MfaOptions {
  /** Hook of the `config.rampart.mfa: { required: true }` check: after authentication. Default `'preHandler'`. */
  hook?: MfaHook
  /** `amr` claim values (RFC 8176) that show a second factor was checked; any one suffices. Default `['otp', 'mfa']`. */
  amrValues?: readonly string[]
  /** `WWW-Authenticate` of a 401 (no identity on an MFA route), or `false` for none. Default `'Bearer'`. */
  challenge?: string | false
}

/** The plugin's own options after defaults and validation. */
export interface ResolvedMfaPluginOptions {
  readonly hook: MfaHook
  readonly amrValues: readonly string[]
  /** `null`: no `WWW-Authenticate` on a 401. */
  readonly challenge: string | null
}

export const DEFAULTS = Object.freeze({
  maxRecords: MEMORY_STORE_DEFAULTS.maxRecords,
  now: Date.now as () => number,
  window: 1,
  algorithm: 'SHA1' as OtpAlgorithm,
  digits: 6,
  period: 30,
  secretBytes: 20,
  backupCodeCount: 10,
  backupCodeLength: 12,
  maxFailures: 5,
  lockout: 60,
  maxLockout: 86_400,
  qrCode: Object.freeze({ errorCorrectionLevel: 'M' as QrErrorCorrection, margin: 4, width: 256 }),
  hook: 'preHandler' as MfaHook,
  amrValues: Object.freeze(['otp', 'mfa']) as readonly string[],
  challenge: 'Bearer' as string | false,
})

const MFA_KEYS = [
  'keyring',
  'pepper',
  'issuer',
  'store',
  'maxRecords',
  'now',
  'window',
  'algorithm',
  'digits',
  'period',
  'secretBytes',
  'backupCodeCount',
  'backupCodeLength',
  'maxFailures',
  'lockout',
  'maxLockout',
  'qrCode',
]
const PLUGIN_KEYS = ['hook', 'amrValues', 'challenge']

/** Printable, no `:` (the label separator of an `otpauth://` URI), no leading or trailing space. */
const ISSUER_PATTERN = /^[^\s:\p{Cc}](?:[^:\p{Cc}]{0,126}[^\s:\p{Cc}])?$/u
const CHALLENGE_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+( [\x20-\x7e]+)?$/
const AMR_PATTERN = /^[\x21-\x7e]{1,64}$/
const MIN_PEPPER_BYTES = 32
const KEYRING_METHODS = ['encrypt', 'decryptText', 'forPurpose', 'needsReencryption', 'reencrypt'] as const
const STORE_METHODS = ['get', 'put', 'delete'] as const

export const optionValidator: OptionValidator = new OptionValidator(PACKAGE)
const validate = optionValidator

function resolvePepper(value: unknown): Buffer {
  let bytes: Buffer
  if (typeof value === 'string') bytes = Buffer.from(value, 'utf8')
  else if (value instanceof Uint8Array) bytes = Buffer.from(value)
  else return validate.fail('pepper', 'is required: a string or a Uint8Array of at least 32 bytes', value)
  // The value is a secret: say how short it is, never what it is.
  if (bytes.length < MIN_PEPPER_BYTES) {
    validate.fail(
      'pepper',
      `must be at least ${MIN_PEPPER_BYTES} bytes (got ${bytes.length}); use e.g. openssl rand -base64 32`,
    )
  }
  return bytes
}

function resolveKeyring(value: unknown): Keyring {
  if (value === undefined) validate.fail('keyring', 'is required: a @rampart/crypto Keyring')
  const keyring = validate.object('keyring', value)
  for (const method of KEYRING_METHODS) {
    if (typeof keyring[method] !== 'function')
      validate.fail('keyring', `must be a @rampart/crypto Keyring (no ${method}())`)
  }
  return value as Keyring
}

function resolveStore(given: Record<string, unknown>): MfaStore | null {
  if (given.store === undefined) return null
  if (given.maxRecords !== undefined)
    validate.fail('maxRecords', 'bounds the default memory store; it is not used with `store`')
  const store = validate.object('store', given.store)
  for (const method of STORE_METHODS) validate.func(`store.${method}`, store[method])
  if (store.close !== undefined) validate.func('store.close', store.close)
  return given.store as MfaStore
}

function resolveQrCode(value: unknown): Readonly<Required<QrCodeOptions>> {
  const given = validate.object('qrCode', value ?? {})
  const defaults = DEFAULTS.qrCode
  validate.knownKeys('qrCode', given, Object.keys(defaults))
  return Object.freeze({
    errorCorrectionLevel: validate.oneOf(
      'qrCode.errorCorrectionLevel',
      given.errorCorrectionLevel ?? defaults.errorCorrectionLevel,
      ['L', 'M', 'Q', 'H'] as const,
    ),
    margin: validate.integer('qrCode.margin', given.margin ?? defaults.margin, { min: 0, max: 16 }),
    width: validate.integer('qrCode.width', given.width ?? defaults.width, { min: 64, max: 2048 }),
  })
}

function resolveMfaKeys(given: Record<string, unknown>): ResolvedMfaOptions {
  const lockout = validate.integer('lockout', given.lockout ?? DEFAULTS.lockout, { min: 1, max: 86_400 })
  const maxLockout = validate.integer('maxLockout', given.maxLockout ?? DEFAULTS.maxLockout, {
    min: lockout,
    max: 604_800,
  })
  if (given.issuer === undefined) validate.fail('issuer', 'is required: the name authenticator apps show, e.g. "Acme"')
  return Object.freeze({
    keyring: resolveKeyring(given.keyring),
    pepper: resolvePepper(given.pepper),
    issuer: validate.string('issuer', given.issuer, { pattern: ISSUER_PATTERN }),
    store: resolveStore(given),
    maxRecords: validate.integer('maxRecords', given.maxRecords ?? DEFAULTS.maxRecords, { min: 1, max: 10_000_000 }),
    now: validate.func<() => number>('now', given.now ?? DEFAULTS.now),
    window: validate.integer('window', given.window ?? DEFAULTS.window, { min: 0, max: 5 }),
    algorithm: validate.oneOf('algorithm', given.algorithm ?? DEFAULTS.algorithm, [
      'SHA1',
      'SHA256',
      'SHA512',
    ] as const),
    digits: validate.integer('digits', given.digits ?? DEFAULTS.digits, { min: 6, max: 8 }),
    period: validate.integer('period', given.period ?? DEFAULTS.period, { min: 15, max: 300 }),
    secretBytes: validate.integer('secretBytes', given.secretBytes ?? DEFAULTS.secretBytes, { min: 16, max: 64 }),
    backupCodeCount: validate.integer('backupCodeCount', given.backupCodeCount ?? DEFAULTS.backupCodeCount, {
      min: 0,
      max: 50,
    }),
    backupCodeLength: validate.integer('backupCodeLength', given.backupCodeLength ?? DEFAULTS.backupCodeLength, {
      min: 10,
      max: 32,
    }),
    maxFailures: validate.integer('maxFailures', given.maxFailures ?? DEFAULTS.maxFailures, { min: 1, max: 100 }),
    lockout: lockout * 1000,
    maxLockout: maxLockout * 1000,
    qrCode: resolveQrCode(given.qrCode),
  })
}

/** Validates `createMfa` options and folds in the defaults; throws `RAMPART_MFA_INVALID_OPTION` naming the option. */
export function resolveMfaOptions(options: MfaOptions): ResolvedMfaOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, MFA_KEYS)
  return resolveMfaKeys(given)
}

/** Validates the plugin's options: those of `createMfa` and the route check's. */
export function resolvePluginOptions(options: MfaPluginOptions): {
  mfa: ResolvedMfaOptions
  plugin: ResolvedMfaPluginOptions
} {
  const given = validate.object('', options)
  validate.knownKeys('', given, [...MFA_KEYS, ...PLUGIN_KEYS])
  const mfa = resolveMfaKeys(given)
  const amrValues = validate.stringList('amrValues', given.amrValues ?? DEFAULTS.amrValues)
  if (amrValues.length === 0) validate.fail('amrValues', 'must name at least one amr value', amrValues)
  amrValues.forEach((value, index) => {
    validate.string(`amrValues[${index}]`, value, { pattern: AMR_PATTERN })
  })
  const challenge = given.challenge ?? DEFAULTS.challenge
  return {
    mfa,
    plugin: Object.freeze({
      hook: validate.oneOf('hook', given.hook ?? DEFAULTS.hook, ['onRequest', 'preValidation', 'preHandler'] as const),
      amrValues: Object.freeze(amrValues),
      challenge: challenge === false ? null : validate.string('challenge', challenge, { pattern: CHALLENGE_PATTERN }),
    }),
  }
}

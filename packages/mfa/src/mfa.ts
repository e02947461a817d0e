import { randomBytes } from 'node:crypto'
import type { Keyring } from '@rampart/crypto'
import type { FastifyRequest } from 'fastify'
import {
  backupCodeKey,
  findBackupCode,
  generateBackupCode,
  hashBackupCode,
  normalizeBackupCode,
} from './backup-codes.js'
import { base32Encode } from './base32.js'
import {
  backupCodesRegeneratedChannel,
  disabledChannel,
  enabledChannel,
  enrolledChannel,
  failedChannel,
  lockedChannel,
  type MfaFailureReason,
  type MfaMethod,
  verifiedChannel,
} from './diagnostics.js'
import {
  AlreadyEnabledError,
  ConflictError,
  CorruptRecordError,
  InvalidArgumentError,
  NotEnabledError,
} from './errors.js'
import { MemoryMfaStore } from './memory-store.js'
import { matchingSteps, timeStep } from './one-time-password.js'
import { type MfaOptions, type ResolvedMfaOptions, resolveMfaOptions } from './options.js'
import { otpauthUri } from './otpauth-uri.js'
import { qrCodePng, qrCodeSvg } from './qr-code.js'
import { isMfaRecord, type MfaRecord, type MfaStore } from './store.js'

/** The purpose of the keyring TOTP secrets are encrypted under (HKDF info of @rampart/crypto). */
export const KEYRING_PURPOSE = 'mfa:totp'

/** What `setup` hands the user, once: nothing in it can be read back later. */
export interface MfaSetup {
  /** The secret in base32, for manual entry in an authenticator app. */
  readonly secret: string
  /** The `otpauth://totp/...` provisioning URI. */
  readonly otpauthUrl: string
  /** The URI as a QR code, a PNG `data:image/png;base64,...` URL. */
  readonly qrPng: string
  /** The URI as a QR code, an SVG document. */
  readonly qrSvg: string
  /** Single-use backup codes in plain text (only their hashes are stored). */
  readonly backupCodes: readonly string[]
}

/** The outcome of `verify` or `confirm`. Input is never a reason to throw. */
export type MfaVerification =
  | {
      readonly ok: true
      readonly method: MfaMethod
      /** Unused backup codes left. */
      readonly remainingBackupCodes: number
    }
  | {
      readonly ok: false
      /** What the input looked like, or `null` when it was neither a TOTP code nor a backup code. */
      readonly method: MfaMethod | null
      readonly reason: MfaFailureReason
      /** With `reason: 'locked'`: seconds until codes are checked again. */
      readonly retryAfter?: number
    }

/** A user's MFA state, without anything secret. */
export interface MfaStatus {
  /** Whether `confirm` accepted a first code: `verify` checks codes only then. */
  readonly enabled: boolean
  /** Unused backup codes. */
  readonly backupCodes: number
  /** Failed codes in a row. */
  readonly failures: number
  /** Epoch milliseconds until which codes are refused, or `null` when not locked. */
  readonly lockedUntil: number | null
  readonly createdAt: number
}

/** The request a call is made for: passed on in the events. */
export interface MfaCallContext {
  request?: FastifyRequest
}

/** TOTP and backup codes for one application: see `createMfa`. */
export interface Mfa {
  /**
   * Starts (or restarts) an enrolment: a new random secret, encrypted into the user's record, and new
   * backup codes, hashed. MFA is not enabled until `confirm` accepts a code of the new secret. Throws
   * `RAMPART_MFA_ALREADY_ENABLED` when the user's MFA is enabled (`disable` it first).
   */
  setup(userId: string, account: string, context?: MfaCallContext): Promise<MfaSetup>
  /** Enables the enrolment made by `setup` when `code` is a valid TOTP code of its secret. */
  confirm(userId: string, code: unknown, context?: MfaCallContext): Promise<MfaVerification>
  /** Checks a TOTP code (`123456`) or a backup code (`7k2m-9xq4-h3dz`) of a user whose MFA is enabled. */
  verify(userId: string, code: unknown, context?: MfaCallContext): Promise<MfaVerification>
  /** Deletes the user's record (secret, backup codes, lockout): MFA is off. `true` when there was one. */
  disable(userId: string, context?: MfaCallContext): Promise<boolean>
  /** Replaces the backup codes with new ones, returned in plain text once. Throws `RAMPART_MFA_NOT_ENABLED`. */
  regenerateBackupCodes(userId: string, context?: MfaCallContext): Promise<readonly string[]>
  /** The user's MFA state, or `null` when not enrolled. */
  status(userId: string): Promise<MfaStatus | null>
  /** The store records are kept in. */
  readonly store: MfaStore
}

/** Compare-and-set attempts before a write gives up with `RAMPART_MFA_CONFLICT`. */
const MAX_ATTEMPTS = 32
const MAX_ID_LENGTH = 256
const MAX_ACCOUNT_LENGTH = 256
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/
/** A TOTP code as typed: 6 to 8 ASCII digits (the enrolment's own length is checked against its record). */
const DIGITS = /^[0-9]{6,8}$/
const SPACES = / /g

type Classified = { method: 'totp'; code: string } | { method: 'backup'; code: string } | null

/** Outcome of one attempt at a decision: a record to write, and what to report once it is written. */
interface Decision {
  next: MfaRecord | null
  result: MfaVerification
  locked?: number
}

class MfaService implements Mfa {
  readonly store: MfaStore
  readonly #settings: ResolvedMfaOptions
  readonly #keyring: Keyring
  readonly #backupKey: Buffer

  constructor(settings: ResolvedMfaOptions) {
    this.#settings = settings
    this.store = settings.store ?? new MemoryMfaStore({ maxRecords: settings.maxRecords })
    this.#keyring = settings.keyring.forPurpose(KEYRING_PURPOSE)
    this.#backupKey = backupCodeKey(settings.pepper)
  }

  async setup(userId: string, account: string, context: MfaCallContext = {}): Promise<MfaSetup> {
    checkUserId(userId)
    checkAccount(account)
    const settings = this.#settings
    const secretBytes = randomBytes(settings.secretBytes)
    const secret = base32Encode(secretBytes)
    const secretCiphertext = this.#keyring.encrypt(secretBytes, { aad: userId })
    secretBytes.fill(0)
    const backupCodes = this.#newBackupCodes()
    const backupHashes = backupCodes.map((code) => this.#hashBackupCode(userId, code))
    await this.#update(userId, (current) => {
      if (current?.enabled === true) {
        throw new AlreadyEnabledError(`MFA is already enabled for user "${userId}"; disable it before a new setup`)
      }
      return {
        userId,
        secretCiphertext,
        algorithm: settings.algorithm,
        digits: settings.digits,
        period: settings.period,
        enabled: false,
        lastStep: -1,
        backupCodes: backupHashes,
        failures: 0,
        lockedUntil: 0,
        createdAt: settings.now(),
        version: (current?.version ?? 0) + 1,
      }
    })
    if (enrolledChannel.hasSubscribers) enrolledChannel.publish({ ...context, userId })
    const otpauthUrl = otpauthUri({
      issuer: settings.issuer,
      account,
      secret,
      algorithm: settings.algorithm,
      digits: settings.digits,
      period: settings.period,
    })
    const [qrPng, qrSvg] = await Promise.all([
      qrCodePng(otpauthUrl, settings.qrCode),
      qrCodeSvg(otpauthUrl, settings.qrCode),
    ])
    return Object.freeze({ secret, otpauthUrl, qrPng, qrSvg, backupCodes: Object.freeze(backupCodes) })
  }

  confirm(userId: string, code: unknown, context: MfaCallContext = {}): Promise<MfaVerification> {
    return this.#check(userId, code, context, true)
  }

  verify(userId: string, code: unknown, context: MfaCallContext = {}): Promise<MfaVerification> {
    return this.#check(userId, code, context, false)
  }

  async disable(userId: string, context: MfaCallContext = {}): Promise<boolean> {
    checkUserId(userId)
    const deleted = await this.store.delete(userId)
    if (deleted && disabledChannel.hasSubscribers) disabledChannel.publish({ ...context, userId })
    return deleted
  }

  async regenerateBackupCodes(userId: string, context: MfaCallContext = {}): Promise<readonly string[]> {
    checkUserId(userId)
    const backupCodes = this.#newBackupCodes()
    const hashes = backupCodes.map((code) => this.#hashBackupCode(userId, code))
    await this.#update(userId, (current) => {
      if (current?.enabled !== true) {
        throw new NotEnabledError(
          `MFA is not enabled for user "${userId}"; backup codes come with an enabled enrolment`,
        )
      }
      return { ...current, backupCodes: hashes, version: current.version + 1 }
    })
    if (backupCodesRegeneratedChannel.hasSubscribers) {
      backupCodesRegeneratedChannel.publish({ ...context, userId, count: backupCodes.length })
    }
    return Object.freeze(backupCodes)
  }

  async status(userId: string): Promise<MfaStatus | null> {
    checkUserId(userId)
    const record = await this.#load(userId)
    if (record === null) return null
    return Object.freeze({
      enabled: record.enabled,
      backupCodes: record.backupCodes.length,
      failures: record.failures,
      lockedUntil: record.lockedUntil > this.#settings.now() ? record.lockedUntil : null,
      createdAt: record.createdAt,
    })
  }

  /** `verify` and `confirm`: one decision per attempt, written by compare-and-set, retried on a lost race. */
  async #check(userId: string, code: unknown, context: MfaCallContext, confirming: boolean): Promise<MfaVerification> {
    checkUserId(userId)
    const input = this.#classify(code, confirming)
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const record = await this.#load(userId)
      const decision = this.#decide(record, input, confirming)
      if (decision.next !== null && !(await this.store.put(decision.next, (record as MfaRecord).version))) continue
      this.#report(userId, context, decision, confirming)
      return decision.result
    }
    throw new ConflictError(`the record of user "${userId}" kept changing; gave up after ${MAX_ATTEMPTS} attempts`)
  }

  #decide(record: MfaRecord | null, input: Classified, confirming: boolean): Decision {
    const method = input?.method ?? null
    if (record === null) return refusal(method, 'not-enrolled')
    if (record.enabled === confirming) return refusal(method, confirming ? 'already-enabled' : 'not-enabled')
    if (input === null) return refusal(method, 'malformed')
    const now = this.#settings.now()
    if (record.lockedUntil > now) {
      return {
        next: null,
        result: { ok: false, method, reason: 'locked', retryAfter: secondsUntil(record.lockedUntil, now) },
      }
    }
    if (input.method === 'totp' && input.code.length !== record.digits) return refusal(method, 'malformed')

    let accepted: MfaRecord | null = null
    let reason: MfaFailureReason = 'invalid'
    if (input.method === 'totp') {
      const steps = this.#matchingSteps(record, input.code, now)
      const step = steps.find((candidate) => candidate > record.lastStep)
      if (step !== undefined) {
        accepted = { ...record, lastStep: step, secretCiphertext: this.#currentCiphertext(record) }
        if (confirming) accepted = { ...accepted, enabled: true }
      } else if (steps.length > 0) {
        reason = 'replayed'
      }
    } else {
      const index = findBackupCode(record.backupCodes, hashBackupCode(this.#backupKey, record.userId, input.code))
      if (index >= 0) accepted = { ...record, backupCodes: record.backupCodes.filter((_, at) => at !== index) }
    }

    if (accepted !== null) {
      return {
        next: { ...accepted, failures: 0, lockedUntil: 0, version: record.version + 1 },
        result: { ok: true, method: input.method, remainingBackupCodes: accepted.backupCodes.length },
      }
    }
    const { maxFailures, lockout, maxLockout } = this.#settings
    const failures = record.failures + 1
    let lockedUntil = record.lockedUntil
    let locked: number | undefined
    if (failures % maxFailures === 0) {
      // The first lockout lasts `lockout`; each further one twice the one before, up to `maxLockout`.
      lockedUntil = now + Math.min(maxLockout, lockout * 2 ** Math.min(30, failures / maxFailures - 1))
      locked = failures
    }
    return {
      next: { ...record, failures, lockedUntil, version: record.version + 1 },
      result: { ok: false, method, reason },
      ...(locked === undefined ? {} : { locked }),
    }
  }

  #report(userId: string, context: MfaCallContext, decision: Decision, confirming: boolean): void {
    const result = decision.result
    if (result.ok) {
      if (verifiedChannel.hasSubscribers) {
        verifiedChannel.publish({
          ...context,
          userId,
          method: result.method,
          remainingBackupCodes: result.remainingBackupCodes,
        })
      }
      if (confirming && enabledChannel.hasSubscribers) enabledChannel.publish({ ...context, userId })
      return
    }
    if (failedChannel.hasSubscribers) {
      failedChannel.publish({ ...context, userId, method: result.method, reason: result.reason })
    }
    if (decision.locked !== undefined && lockedChannel.hasSubscribers) {
      lockedChannel.publish({
        ...context,
        userId,
        failures: decision.locked,
        lockedUntil: (decision.next as MfaRecord).lockedUntil,
      })
    }
  }

  /** TOTP input: ASCII digits (spaces, as apps show `123 456`, dropped); else a backup code; else `null`. */
  #classify(code: unknown, confirming: boolean): Classified {
    if (typeof code !== 'string' || code.length > 128) return null
    const digits = code.replace(SPACES, '')
    if (DIGITS.test(digits)) return { method: 'totp', code: digits }
    if (confirming || this.#settings.backupCodeCount === 0) return null
    const backup = normalizeBackupCode(code, this.#settings.backupCodeLength)
    return backup === null ? null : { method: 'backup', code: backup }
  }

  #matchingSteps(record: MfaRecord, code: string, now: number): number[] {
    const key = this.#keyring.decrypt(record.secretCiphertext, { aad: record.userId })
    try {
      const step = timeStep(now, record.period)
      return matchingSteps(key, code, step, this.#settings.window, record.digits, record.algorithm)
    } finally {
      key.fill(0)
    }
  }

  /** The secret under the keyring's current key: re-encrypted, on a successful code, after a key rotation. */
  #currentCiphertext(record: MfaRecord): string {
    const token = record.secretCiphertext
    return this.#keyring.needsReencryption(token) ? this.#keyring.reencrypt(token, { aad: record.userId }) : token
  }

  async #load(userId: string): Promise<MfaRecord | null> {
    const record = await this.store.get(userId)
    if (record === null || record === undefined) return null
    if (!isMfaRecord(record, userId)) {
      throw new CorruptRecordError(`the store returned a malformed MFA record for user "${userId}"`)
    }
    return record
  }

  /** Read, build the next record (or throw), compare-and-set; retried while another write wins. */
  async #update(userId: string, build: (current: MfaRecord | null) => MfaRecord): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.#load(userId)
      if (await this.store.put(build(current), current?.version ?? null)) return
    }
    throw new ConflictError(`the record of user "${userId}" kept changing; gave up after ${MAX_ATTEMPTS} attempts`)
  }

  #newBackupCodes(): string[] {
    const { backupCodeCount, backupCodeLength } = this.#settings
    return Array.from({ length: backupCodeCount }, () => generateBackupCode(backupCodeLength))
  }

  #hashBackupCode(userId: string, code: string): string {
    return hashBackupCode(this.#backupKey, userId, normalizeBackupCode(code, this.#settings.backupCodeLength) as string)
  }
}

function refusal(method: MfaMethod | null, reason: MfaFailureReason): Decision {
  return { next: null, result: { ok: false, method, reason } }
}

function secondsUntil(time: number, now: number): number {
  return Math.max(1, Math.ceil((time - now) / 1000))
}

function checkUserId(userId: unknown): void {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_ID_LENGTH || CONTROL.test(userId)) {
    throw new InvalidArgumentError(
      `userId must be a non-empty string of at most ${MAX_ID_LENGTH} characters without control characters`,
    )
  }
}

function checkAccount(account: unknown): void {
  if (
    typeof account !== 'string' ||
    account.trim().length === 0 ||
    account.length > MAX_ACCOUNT_LENGTH ||
    account.includes(':') ||
    CONTROL.test(account)
  ) {
    throw new InvalidArgumentError(
      `account must be a non-empty string of at most ${MAX_ACCOUNT_LENGTH} characters, without ":" (the label separator of otpauth URIs) or control characters`,
    )
  }
}

/**
 * TOTP (RFC 6238) multi-factor authentication with replay protection, secrets encrypted at rest and
 * hashed single-use backup codes. Options are validated here: a bad one throws `RAMPART_MFA_INVALID_OPTION`.
 */
export function createMfa(options: MfaOptions): Mfa {
  return createMfaFromSettings(resolveMfaOptions(options))
}

/** `createMfa` from options already resolved (the plugin resolves them with its own). */
export function createMfaFromSettings(settings: ResolvedMfaOptions): Mfa {
  return new MfaService(settings)
}

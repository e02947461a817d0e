import type { OtpAlgorithm } from './one-time-password.js'

/**
 * One user's MFA enrolment as a store keeps it. Nothing in it is usable without the server's
 * secrets: the TOTP secret is a @rampart/crypto field token (AES-256-GCM, associated data = the user
 * id) and the backup codes are keyed hashes. Times are epoch milliseconds.
 */
export interface MfaRecord {
  readonly userId: string
  /** The TOTP secret, encrypted by the keyring (purpose `mfa:totp`, associated data = `userId`). */
  readonly secretCiphertext: string
  /** The code parameters the secret was provisioned with (the authenticator app keeps them). */
  readonly algorithm: OtpAlgorithm
  readonly digits: number
  readonly period: number
  /** `false` from `setup` until `confirm` accepts a first code. */
  readonly enabled: boolean
  /** The last accepted time step, or -1: only later steps are accepted (replay protection). */
  readonly lastStep: number
  /** Hashes of the unused backup codes (`v1.<base64url>`); a used one is removed. */
  readonly backupCodes: readonly string[]
  /** Failed codes in a row since the last accepted one. */
  readonly failures: number
  /** No code is accepted before this time (0: not locked). */
  readonly lockedUntil: number
  readonly createdAt: number
  /** Incremented by every write; the compare-and-set of `put` compares it. */
  readonly version: number
}

/**
 * Where MFA records are kept. `put` is a compare-and-set, which is what makes replay protection
 * hold under concurrency: two requests that read the same record and both try to accept a code
 * (or the same backup code) cannot both write. Methods may return values or promises.
 */
export interface MfaStore {
  /** The record of `userId`, or `null`. */
  get(userId: string): MfaRecord | null | Promise<MfaRecord | null>
  /**
   * Writes `record` under `record.userId` only if the stored record's `version` is `expectedVersion`
   * (`null`: only if there is none). `true` when written; `false`, writing nothing, when the record
   * changed (or appeared, or vanished) meanwhile.
   */
  put(record: MfaRecord, expectedVersion: number | null): boolean | Promise<boolean>
  /** Deletes the record of `userId`; `true` when there was one. */
  delete(userId: string): boolean | Promise<boolean>
  /** Releases what the store holds; called when Fastify closes. */
  close?(): void | Promise<void>
}

const ALGORITHMS: ReadonlySet<unknown> = new Set(['SHA1', 'SHA256', 'SHA512'])

function isCount(value: unknown, min = 0): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min
}

/**
 * Whether a value read from a store is a well-formed record of `userId`. A store that returns
 * anything else is broken or tampered with; callers throw rather than read it as "not enrolled".
 */
export function isMfaRecord(value: unknown, userId: string): value is MfaRecord {
  if (value === null || typeof value !== 'object') return false
  const record = value as Record<string, unknown>
  return (
    record.userId === userId &&
    typeof record.secretCiphertext === 'string' &&
    record.secretCiphertext.length > 0 &&
    ALGORITHMS.has(record.algorithm) &&
    isCount(record.digits, 6) &&
    (record.digits as number) <= 8 &&
    isCount(record.period, 1) &&
    typeof record.enabled === 'boolean' &&
    isCount(record.lastStep, -1) &&
    Array.isArray(record.backupCodes) &&
    record.backupCodes.every((hash) => typeof hash === 'string') &&
    isCount(record.failures) &&
    isCount(record.lockedUntil) &&
    isCount(record.createdAt) &&
    isCount(record.version, 1)
  )
}

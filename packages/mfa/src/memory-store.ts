import { InvalidArgumentError, StoreFullError } from './errors.js'
import type { MfaRecord, MfaStore } from './store.js'

/** Options of `MemoryMfaStore`. */
export interface MemoryMfaStoreOptions {
  /** Records held at most (100..10,000,000). Default 100,000. */
  maxRecords?: number
}

export const MEMORY_STORE_DEFAULTS: { readonly maxRecords: number } = Object.freeze({ maxRecords: 100_000 })

function frozenCopy(record: MfaRecord): MfaRecord {
  return Object.freeze({ ...record, backupCodes: Object.freeze([...record.backupCodes]) })
}

/**
 * MFA records in this process's memory, for development and single-instance deployments: they do
 * not survive a restart and are not shared between processes. Bounded: when `maxRecords` are held,
 * a new record evicts the oldest enrolment that was never confirmed; enabled records are never
 * evicted (that would switch a user's MFA off), so when every record is enabled a new enrolment
 * throws `RAMPART_MFA_STORE_FULL`. Records are stored as frozen copies.
 */
export class MemoryMfaStore implements MfaStore {
  readonly maxRecords: number
  readonly #records = new Map<string, MfaRecord>()
  /** User ids of records not yet enabled, oldest first: the eviction candidates. */
  readonly #pending = new Set<string>()

  constructor(options: MemoryMfaStoreOptions = {}) {
    const maxRecords = options.maxRecords ?? MEMORY_STORE_DEFAULTS.maxRecords
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1 || maxRecords > 10_000_000) {
      throw new InvalidArgumentError('MemoryMfaStore: maxRecords must be an integer in 1..10000000')
    }
    this.maxRecords = maxRecords
  }

  /** Records held. */
  get size(): number {
    return this.#records.size
  }

  get(userId: string): MfaRecord | null {
    return this.#records.get(userId) ?? null
  }

  put(record: MfaRecord, expectedVersion: number | null): boolean {
    const userId = record.userId
    const current = this.#records.get(userId)
    if (current === undefined ? expectedVersion !== null : current.version !== expectedVersion) return false
    if (current === undefined) this.#makeRoom()
    this.#records.set(userId, frozenCopy(record))
    this.#pending.delete(userId)
    if (!record.enabled) this.#pending.add(userId)
    return true
  }

  delete(userId: string): boolean {
    this.#pending.delete(userId)
    return this.#records.delete(userId)
  }

  /** Forgets every record. */
  clear(): void {
    this.#records.clear()
    this.#pending.clear()
  }

  #makeRoom(): void {
    if (this.#records.size < this.maxRecords) return
    const oldestPending = this.#pending.values().next()
    if (oldestPending.done === true) {
      throw new StoreFullError(
        `the memory store holds ${this.maxRecords} enabled MFA records (maxRecords) and evicts none; use a larger bound or a shared store`,
      )
    }
    this.delete(oldestPending.value)
  }
}

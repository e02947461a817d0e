import type { ApiKeyRecord } from './records.js'

/**
 * Where keys live outside the options (a database, Redis). The strategy hashes the presented key
 * and asks for the record stored under that hash; answers are cached (see the `cache` option).
 */
export interface ApiKeyStore {
  /** The record stored under `hash` (64 lowercase hex characters), or `null` when there is none. */
  find(hash: string): ApiKeyRecord | null | Promise<ApiKeyRecord | null>
}

import type { AuthOutcome, Identity } from '@rampart/core'

/** What a key grants. Stores return it; the `validate` hook returns it; `keys` entries extend it. */
export interface ApiKeyRecord {
  /** Stable id of the key (not secret): shown in logs and events, used to revoke it. */
  readonly id: string
  /** Who the key belongs to: becomes `request.identity.id`. */
  readonly owner: string
  /** Scopes the key grants. Default none. */
  readonly scopes?: readonly string[]
  /** Plan tier (`free`, `basic`, `pro`, `enterprise`), read by rate limiting. */
  readonly tier?: string
  /** When the key stops working, in ms since the epoch. Default never. */
  readonly expiresAt?: number
}

/** A key record as stored: the record plus the hex hash of its key. */
export interface StoredApiKey extends ApiKeyRecord {
  /** Hex SHA-256 (or HMAC-SHA-256 with the pepper) of the key, as `hashApiKey` returns it. */
  readonly hash: string
}

/**
 * A key given in the options: the record plus either the `hash` of the key (preferred: no secret in
 * the configuration) or the plaintext `key`, hashed at register and never kept.
 */
export interface ApiKeyDefinition extends ApiKeyRecord {
  readonly hash?: string
  readonly key?: string
}

/** A checked record with its identity and its `authenticated` outcome built once. */
export interface ResolvedKey {
  readonly id: string
  readonly expiresAt: number | undefined
  readonly identity: Identity
  readonly outcome: AuthOutcome
}

/** Reports a malformed field: `where` names it, `problem` says what is wrong. Must throw. */
export type RecordFailure = (where: string, problem: string, ...value: [unknown?]) => never

const ID_PATTERN = /^[\x21-\x7e]{1,128}$/
const MAX_TEXT = 256
const MAX_SCOPES = 256

function text(fail: RecordFailure, where: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    fail(where, `must be a non-empty string of at most ${MAX_TEXT} characters`, value)
  }
  return value as string
}

/**
 * Checks a record field by field (unknown fields included: `allowed` lists the others) and builds its
 * identity: `{ id: owner, kind: 'api-key', tier, scopes, claims: { keyId } }`, frozen.
 */
export function resolveRecord(
  fail: RecordFailure,
  where: string,
  value: unknown,
  allowed: readonly string[] = [],
): ResolvedKey {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(where, 'must be an object', value)
  const record = value as Record<string, unknown>
  for (const field of Object.keys(record)) {
    if (!RECORD_FIELDS.includes(field) && !allowed.includes(field)) {
      fail(`${where}.${field}`, `is not a known field; known fields are: ${[...RECORD_FIELDS, ...allowed].join(', ')}`)
    }
  }
  const id = record.id
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) fail(`${where}.id`, 'must be 1..128 visible ASCII characters', id)
  const owner = text(fail, `${where}.owner`, record.owner)
  let scopes: readonly string[] = EMPTY
  if (record.scopes !== undefined) {
    if (!Array.isArray(record.scopes) || record.scopes.length > MAX_SCOPES) {
      fail(`${where}.scopes`, `must be an array of at most ${MAX_SCOPES} strings`, record.scopes)
    }
    const list = record.scopes as unknown[]
    list.forEach((scope, index) => {
      text(fail, `${where}.scopes[${index}]`, scope)
    })
    scopes = Object.freeze([...new Set(list as string[])])
  }
  const tier = record.tier === undefined ? undefined : text(fail, `${where}.tier`, record.tier)
  const expiresAt = record.expiresAt
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) {
    fail(`${where}.expiresAt`, 'must be a time in ms since the epoch', expiresAt)
  }
  const base = { id: owner, kind: 'api-key' as const, scopes, claims: Object.freeze({ keyId: id as string }) }
  const identity: Identity = Object.freeze(tier === undefined ? base : { ...base, tier })
  return Object.freeze({
    id: id as string,
    expiresAt: expiresAt as number | undefined,
    identity,
    outcome: Object.freeze({ status: 'authenticated' as const, identity }),
  })
}

const EMPTY: readonly string[] = Object.freeze([])
const RECORD_FIELDS: readonly string[] = Object.freeze(['id', 'owner', 'scopes', 'tier', 'expiresAt'])

import { RedisConnection, resolveRedisConnectionOptions } from '@rampart/redis'
import type { Redis } from 'ioredis'
import { InvalidRecordError, PACKAGE, StoreConflictError } from './errors.js'
import { HASH_PATTERN } from './hashing.js'
import { type ApiKeyRecord, type RecordFailure, resolveRecord, type StoredApiKey } from './records.js'
import type { ApiKeyStore } from './store.js'

export interface RedisApiKeyStoreOptions {
  /** An ioredis client to use (not closed by `close()`). Give this or `url`. */
  client?: Redis
  /** A Redis URL (`redis://host:6379/0`); the store then owns its client and `close()` quits it. */
  url?: string
  /** Prefix of the store's two Redis keys (letters, digits, `:_.-{}`, at most 64). Default `'rampart:api-key:'`. */
  prefix?: string
  /** Command timeout in ms of the client created from `url`, so a hung Redis fails fast (503). Default 250. */
  commandTimeout?: number
}

export const REDIS_STORE_DEFAULTS = Object.freeze({ prefix: 'rampart:api-key:', commandTimeout: 250 })

const PREFIX_PATTERN = /^[A-Za-z0-9:_.{}-]{0,64}$/

// KEYS[1] = by-hash, KEYS[2] = by-id; ARGV = id, hash, record JSON.
// Replaces the id's previous hash (rotation) and refuses a hash that belongs to another id.
const PUT_SCRIPT = `
local owner = redis.call('HGET', KEYS[1], ARGV[2])
if owner and cjson.decode(owner).id ~= ARGV[1] then return 0 end
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old and old ~= ARGV[2] then redis.call('HDEL', KEYS[1], old) end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`

// KEYS[1] = by-hash, KEYS[2] = by-id; ARGV[1] = id.
const REVOKE_SCRIPT = `
local hash = redis.call('HGET', KEYS[2], ARGV[1])
if not hash then return 0 end
redis.call('HDEL', KEYS[1], hash)
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`

const failRecord: RecordFailure = (where, problem) => {
  throw new InvalidRecordError(`${where} ${problem}`)
}

/**
 * API key records in Redis, in two hashes that share one hash tag (one Redis Cluster slot):
 * `<prefix>{api-keys}:by-hash` maps each key hash to its record (JSON) and `<prefix>{api-keys}:by-id`
 * maps each key id to its hash, so a key can be rotated or revoked by id. A lookup is one `HGET`.
 */
export class RedisApiKeyStore implements ApiKeyStore {
  readonly client: Redis
  readonly byHashKey: string
  readonly byIdKey: string
  readonly #connection: RedisConnection

  constructor(options: RedisApiKeyStoreOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('RedisApiKeyStore: options required')
    const prefix = options.prefix ?? REDIS_STORE_DEFAULTS.prefix
    if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
      throw new TypeError('RedisApiKeyStore: prefix must be at most 64 of A-Z a-z 0-9 : _ . - { }')
    }
    // A prefix with its own hash tag keeps it; otherwise `{api-keys}` puts both keys in one slot.
    const tag = prefix.includes('{') ? '' : '{api-keys}:'
    this.byHashKey = `${prefix}${tag}by-hash`
    this.byIdKey = `${prefix}${tag}by-id`
    const { client, url, commandTimeout } = options
    this.#connection = new RedisConnection(
      resolveRedisConnectionOptions(PACKAGE, 'store', {
        ...(client === undefined ? {} : { client }),
        ...(url === undefined ? {} : { url }),
        commandTimeout: commandTimeout ?? REDIS_STORE_DEFAULTS.commandTimeout,
      }),
    )
    this.client = this.#connection.client as Redis
  }

  async find(hash: string): Promise<ApiKeyRecord | null> {
    if (!HASH_PATTERN.test(hash)) return null
    const json = await this.client.hget(this.byHashKey, hash)
    if (json === null) return null
    let record: unknown
    try {
      record = JSON.parse(json)
    } catch {
      throw new InvalidRecordError(`the record stored under ${this.byHashKey} ${hash.slice(0, 8)}... is not JSON`)
    }
    resolveRecord(failRecord, 'stored record', record)
    return record as ApiKeyRecord
  }

  /**
   * Adds a key, or replaces the key of `record.id` (rotation: the old hash stops working at once;
   * strategies that cached it keep it up to their cache `ttl`). Fails with
   * `RAMPART_API_KEY_STORE_CONFLICT` when the hash belongs to another id.
   */
  async put(record: StoredApiKey): Promise<void> {
    const { hash, ...rest } = record
    if (typeof hash !== 'string' || !HASH_PATTERN.test(hash)) {
      throw new InvalidRecordError('record.hash must be 64 lowercase hex characters (hashApiKey / generateApiKey)')
    }
    resolveRecord(failRecord, 'record', rest)
    const json = JSON.stringify({
      id: rest.id,
      owner: rest.owner,
      ...(rest.scopes === undefined ? {} : { scopes: rest.scopes }),
      ...(rest.tier === undefined ? {} : { tier: rest.tier }),
      ...(rest.expiresAt === undefined ? {} : { expiresAt: rest.expiresAt }),
    })
    const stored = await this.client.eval(PUT_SCRIPT, 2, this.byHashKey, this.byIdKey, rest.id, hash, json)
    if (stored !== 1) throw new StoreConflictError(`key ${rest.id}: its hash already belongs to another key id`)
  }

  /** Removes the key of `id`; `true` if there was one. Strategies that cached it keep it up to their cache `ttl`. */
  async revoke(id: string): Promise<boolean> {
    return (await this.client.eval(REVOKE_SCRIPT, 2, this.byHashKey, this.byIdKey, id)) === 1
  }

  /** The hash currently stored for `id`, or `null`. */
  async hashOf(id: string): Promise<string | null> {
    return this.client.hget(this.byIdKey, id)
  }

  /** Quits the client if the store created it (from `url`); a client you gave stays open. */
  async close(): Promise<void> {
    await this.#connection.close()
  }
}

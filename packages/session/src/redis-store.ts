import { createHash } from 'node:crypto'
import {
  type RedisClient,
  RedisConnection,
  type RedisConnectionOptions,
  resolveRedisConnectionOptions,
} from '@rampart/redis'
import { InvalidArgumentError, PACKAGE } from './errors.js'
import { HANDLE_PATTERN } from './session-id.js'
import { decodeSession, encodeSession, type SessionStore, type StoredSession } from './store.js'

/** Options of `RedisSessionStore`. */
export interface RedisSessionStoreOptions {
  /** A Redis URL, an ioredis client (yours: never closed here) or `{ client | url, commandTimeout }` (see @rampart/redis). */
  redis: string | RedisClient | RedisConnectionOptions
  /** Prefix of the keys: `<prefix>:s:<handle>` and `<prefix>:u:<userId>`. Default `'rampart:session'`. */
  prefix?: string
}

export const REDIS_STORE_DEFAULTS = Object.freeze({ prefix: 'rampart:session' })

/** Letters, digits and `:_.-{}`, at most 64. */
export const PREFIX_PATTERN: RegExp = /^[A-Za-z0-9:_.{}-]{1,64}$/

// KEYS[1] = session; ARGV = record JSON ('' to keep it), lastSeenAt, ttl ms.
// Writes only if the session still exists, so a session revoked by another instance while this
// request ran is never written back.
const UPDATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'v', ARGV[1]) end
redis.call('HSET', KEYS[1], 'l', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`

// KEYS[1] = user index; ARGV = handle, ttl ms. The index lives as long as its longest session.
const INDEX_SCRIPT = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`

const UPDATE_SHA = createHash('sha1').update(UPDATE_SCRIPT).digest('hex') // security-lint: Redis names scripts by SHA-1
const INDEX_SHA = createHash('sha1').update(INDEX_SCRIPT).digest('hex') // security-lint: Redis names scripts by SHA-1

/**
 * Sessions in Redis, shared by every instance on the same Redis and prefix. Each session is a
 * hash `<prefix>:s:<handle>` (`v` the record JSON, `l` lastSeenAt, `u` the user id) expiring
 * (`PX`) at min(idle, absolute) expiry; each user's handles are a set `<prefix>:u:<userId>`,
 * which `revokeAll` empties. Every script touches one key, so the store works on Redis Cluster.
 */
export class RedisSessionStore implements SessionStore {
  readonly prefix: string
  readonly connection: RedisConnection

  constructor(options: RedisSessionStoreOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError('RedisSessionStore needs options ({ redis, prefix? })')
    }
    const prefix = options.prefix ?? REDIS_STORE_DEFAULTS.prefix
    if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
      throw new InvalidArgumentError(`RedisSessionStore: prefix must match ${PREFIX_PATTERN}`)
    }
    this.prefix = prefix
    this.connection = new RedisConnection(resolveRedisConnectionOptions(PACKAGE, 'redis', options.redis))
  }

  get client(): RedisClient {
    return this.connection.client
  }

  /** The key of a session. */
  sessionKey(handle: string): string {
    return `${this.prefix}:s:${handle}`
  }

  /** The key of a user's index of sessions. */
  userKey(userId: string): string {
    return `${this.prefix}:u:${userId}`
  }

  async get(handle: string): Promise<StoredSession | null> {
    const fields = await this.client.hgetall(this.sessionKey(handle))
    if (fields.v === undefined || fields.l === undefined) return null
    return decodeSession(fields.v, Number(fields.l))
  }

  async create(handle: string, session: StoredSession, ttl: number): Promise<void> {
    const key = this.sessionKey(handle)
    const fields: Record<string, string> = { v: encodeSession(session), l: String(session.lastSeenAt) }
    if (session.userId !== null) fields.u = session.userId
    const results = await this.client.multi().del(key).hset(key, fields).pexpire(key, ttl).exec()
    for (const [error] of results ?? []) if (error) throw error
    if (session.userId !== null) {
      // The index must outlive every session in it, and a session lives at most to its absolute expiry.
      const indexTtl = Math.max(ttl, session.absoluteExpiresAt - session.lastSeenAt)
      await this.#script(INDEX_SHA, INDEX_SCRIPT, this.userKey(session.userId), handle, String(indexTtl))
    }
  }

  async update(handle: string, session: StoredSession, ttl: number): Promise<boolean> {
    const key = this.sessionKey(handle)
    return (
      (await this.#script(
        UPDATE_SHA,
        UPDATE_SCRIPT,
        key,
        encodeSession(session),
        String(session.lastSeenAt),
        String(ttl),
      )) === 1
    )
  }

  async touch(handle: string, lastSeenAt: number, ttl: number): Promise<boolean> {
    const key = this.sessionKey(handle)
    return (await this.#script(UPDATE_SHA, UPDATE_SCRIPT, key, '', String(lastSeenAt), String(ttl))) === 1
  }

  async delete(handle: string): Promise<{ userId: string | null } | null> {
    const results = await this.client.multi().hget(this.sessionKey(handle), 'u').del(this.sessionKey(handle)).exec()
    for (const [error] of results ?? []) if (error) throw error
    const userId = results?.[0]?.[1] as string | null
    const deleted = results?.[1]?.[1] as number
    if (deleted !== 1) return null
    if (userId !== null) await this.client.srem(this.userKey(userId), handle)
    return { userId }
  }

  async list(userId: string): Promise<Array<[string, StoredSession]>> {
    const index = this.userKey(userId)
    const handles = (await this.client.smembers(index)).filter((handle) => HANDLE_PATTERN.test(handle))
    const sessions = await Promise.all(handles.map((handle) => this.get(handle)))
    const found: Array<[string, StoredSession]> = []
    const gone: string[] = []
    handles.forEach((handle, position) => {
      const session = sessions[position]
      if (session === null || session === undefined) gone.push(handle)
      else found.push([handle, session])
    })
    if (gone.length > 0) await this.client.srem(index, ...gone)
    return found
  }

  async deleteAll(userId: string, except?: string): Promise<number> {
    const index = this.userKey(userId)
    const handles = (await this.client.smembers(index)).filter((handle) => handle !== except)
    if (handles.length === 0) return 0
    // One DEL per key (they may live on different Cluster slots); auto-pipelining batches them.
    const deleted = await Promise.all(handles.map((handle) => this.client.del(this.sessionKey(handle))))
    // Remove exactly the handles read: a session created meanwhile stays indexed.
    await this.client.srem(index, ...handles)
    return deleted.reduce((sum, count) => sum + count, 0)
  }

  /** Quits the client if the store created it from a URL; a client you gave stays open. */
  close(): Promise<void> {
    return this.connection.close()
  }

  /** EVALSHA, loading the script with EVAL when Redis does not have it (first use, after a restart or FLUSH). */
  async #script(sha: string, script: string, key: string, ...args: string[]): Promise<unknown> {
    try {
      return await this.client.evalsha(sha, 1, key, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return this.client.eval(script, 1, key, ...args)
    }
  }
}

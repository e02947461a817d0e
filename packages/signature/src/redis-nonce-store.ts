import { type RedisClient, RedisConnection, resolveRedisConnectionOptions } from '@rampart/redis'
import { InvalidArgumentError, PACKAGE } from './errors.js'
import type { NonceStore } from './nonce-store.js'

/** Options of `RedisNonceStore`. */
export interface RedisNonceStoreOptions {
  /** A Redis URL, an ioredis client (yours: never closed here) or `{ client | url, commandTimeout }` (see @rampart/redis). */
  redis: unknown
  /** Prefix of every nonce key (letters, digits, `:_.-{}`, at most 64). Default `'rampart:signature:nonce:'`. */
  prefix?: string
}

export const REDIS_STORE_DEFAULTS = Object.freeze({ prefix: 'rampart:signature:nonce:' })

export const PREFIX_PATTERN: RegExp = /^[A-Za-z0-9:_.{}-]{0,64}$/

/**
 * Nonces in Redis, shared by every instance that uses the same Redis and prefix: one
 * `SET <prefix><keyId>:<nonce> 1 NX EX <ttl>` per request, atomic, so of two instances that see
 * the same nonce at the same time exactly one accepts it. Redis expires the keys itself.
 */
export class RedisNonceStore implements NonceStore {
  readonly prefix: string
  readonly connection: RedisConnection

  constructor(options: RedisNonceStoreOptions) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('RedisNonceStore needs options')
    const prefix = options.prefix ?? REDIS_STORE_DEFAULTS.prefix
    if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
      throw new InvalidArgumentError(`RedisNonceStore: prefix must match ${PREFIX_PATTERN}`)
    }
    this.prefix = prefix
    this.connection = new RedisConnection(resolveRedisConnectionOptions(PACKAGE, 'redis', options.redis))
  }

  get client(): RedisClient {
    return this.connection.client
  }

  async remember(key: string, ttl: number): Promise<boolean> {
    return (await this.connection.client.set(`${this.prefix}${key}`, '1', 'EX', ttl, 'NX')) === 'OK'
  }

  /** Quits the client if the store created it from a URL; a client you gave stays open. */
  close(): Promise<void> {
    return this.connection.close()
  }
}

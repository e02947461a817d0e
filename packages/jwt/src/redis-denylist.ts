import { RedisConnection, resolveRedisConnectionOptions } from '@rampart/redis'
import type { Redis } from 'ioredis'
import type { JwtDenylist } from './denylist.js'
import { DenylistFailedError, PACKAGE } from './errors.js'

export interface RedisDenylistOptions {
  /** An ioredis client to use (not closed by `close()`); give it a `commandTimeout`. Give this or `url`. */
  client?: Redis
  /** A Redis URL (`redis://host:6379/0`); the denylist then owns its client and `close()` quits it. */
  url?: string
  /** Prefix of the one key per revoked `jti` (letters, digits, `:_.-{}`, at most 64). Default `'rampart:jwt:revoked:'`. */
  prefix?: string
  /** Command timeout in ms of the client created from `url`, so a hung Redis fails fast (503). Default 250. */
  commandTimeout?: number
}

export const REDIS_DENYLIST_DEFAULTS = Object.freeze({ prefix: 'rampart:jwt:revoked:', commandTimeout: 250 })

const PREFIX_PATTERN = /^[A-Za-z0-9:_.{}-]{0,64}$/

function failure(error: unknown): Error {
  return new DenylistFailedError(error instanceof Error ? error.message : String(error), { cause: error })
}

/**
 * Revoked token ids in Redis, shared by every instance: one key per `jti` (`<prefix><jti>`), set
 * with `EXAT` to when the token would have expired, so Redis drops it by itself and the list never
 * outgrows the live tokens. A check is one `EXISTS` (auto-pipelined with the request's other commands).
 */
export class RedisDenylist implements JwtDenylist {
  readonly client: Redis
  readonly prefix: string
  readonly #connection: RedisConnection

  constructor(options: RedisDenylistOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('RedisDenylist: options required')
    const prefix = options.prefix ?? REDIS_DENYLIST_DEFAULTS.prefix
    if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
      throw new TypeError('RedisDenylist: prefix must be at most 64 of A-Z a-z 0-9 : _ . - { }')
    }
    this.prefix = prefix
    const { client, url, commandTimeout } = options
    this.#connection = new RedisConnection(
      resolveRedisConnectionOptions(PACKAGE, 'denylist', {
        ...(client === undefined ? {} : { client }),
        ...(url === undefined ? {} : { url }),
        commandTimeout: commandTimeout ?? REDIS_DENYLIST_DEFAULTS.commandTimeout,
      }),
    )
    this.client = this.#connection.client as Redis
  }

  /** Revokes `jti` until `until` (seconds since the epoch, by the Redis server's clock). */
  async add(jti: string, until: number): Promise<void> {
    try {
      await this.client.set(this.prefix + jti, '1', 'EXAT', Math.ceil(until))
    } catch (error) {
      throw failure(error)
    }
  }

  async has(jti: string): Promise<boolean> {
    try {
      return (await this.client.exists(this.prefix + jti)) === 1
    } catch (error) {
      throw failure(error)
    }
  }

  /** Quits the client if the denylist created it (from `url`); a client you gave stays open. */
  async close(): Promise<void> {
    await this.#connection.close()
  }
}

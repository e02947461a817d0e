import type { RedisClient } from '@rampart/redis'
import { hashClient } from './client-key.js'

/** Redis `PTTL` of a key that does not exist. */
export const MISSING = -2
/** Redis `PTTL` of a key without an expiry. */
export const NO_EXPIRY = -1

/**
 * The ban list in Redis: one key per banned client, `<prefix>ban:<hashed client>`, value `1`,
 * expiring with the ban (`SET ... PX`), so Redis itself forgets a ban when its cooldown ends and
 * every instance reads the time left with one `PTTL`.
 */
export class SharedBans {
  readonly #client: RedisClient
  readonly #prefix: string

  constructor(client: RedisClient, prefix: string) {
    this.#client = client
    this.#prefix = `${prefix}ban:`
  }

  key(client: string): string {
    return this.#prefix + hashClient(client)
  }

  /** Stores a ban of `ms` milliseconds. */
  async set(client: string, ms: number): Promise<void> {
    await this.#client.set(this.key(client), '1', 'PX', Math.max(1, Math.ceil(ms)))
  }

  async delete(client: string): Promise<void> {
    await this.#client.del(this.key(client))
  }

  /** Milliseconds left of the client's ban in Redis; `MISSING` or `NO_EXPIRY` as Redis says. */
  async remaining(client: string): Promise<number> {
    return this.#client.pttl(this.key(client))
  }
}

import type { FastifyBaseLogger } from 'fastify'
import { type BanEntry, BanList } from './ban-list.js'
import type { ClientEntry } from './client-table.js'
import { type UnbanReason, unbannedChannel } from './diagnostics.js'
import { NO_EXPIRY, type SharedBans } from './shared-bans.js'

/** After a failed Redis call, bans are local for this long before Redis is tried again. */
export const REDIS_RETRY_MS = 5000

/** Where bans are kept: `off` (this process only), `ok` (shared through Redis), `down` (Redis failing; local only). */
export type SharedBanState = 'off' | 'ok' | 'down'

export interface BansOptions {
  maxClients: number
  shared: SharedBans | undefined
  checkIntervalMs: number
  now: () => number
  log: FastifyBaseLogger
}

/**
 * The bans of one plugin instance: a local list that answers every request, and, with Redis,
 * the shared list it is kept in step with.
 *
 * Redis is not asked on every request: a client is looked up at most once per `checkIntervalMs`
 * (the lookup time is kept in the client's `ClientTable` entry), and between lookups the local
 * answer stands. The trade-off: a ban decided on another instance, or lifted there, is seen here
 * up to `checkIntervalMs` late, in exchange for at most one `PTTL` per client per interval. A
 * failed Redis call never fails the request: bans become local-only for `REDIS_RETRY_MS`, and a
 * ban made meanwhile is written to Redis on its client's next lookup.
 */
export class Bans {
  readonly list: BanList
  readonly shared: SharedBans | undefined
  readonly #checkIntervalMs: number
  readonly #now: () => number
  readonly #log: FastifyBaseLogger
  #downUntil = Number.NEGATIVE_INFINITY
  #down = false

  constructor(options: BansOptions) {
    this.list = new BanList(options.maxClients)
    this.shared = options.shared
    this.#checkIntervalMs = options.checkIntervalMs
    this.#now = options.now
    this.#log = options.log
  }

  get sharedState(): SharedBanState {
    if (this.shared === undefined) return 'off'
    return this.#down ? 'down' : 'ok'
  }

  /** Milliseconds left of `client`'s ban as this process knows it; 0 if none (an expired ban ends here). */
  remaining(client: string, now: number): number {
    const entry = this.list.get(client)
    if (entry === undefined) return 0
    if (entry.until > now) return entry.until - now
    this.#end(client, 'expired')
    return 0
  }

  /** True when this client should be looked up in Redis now. */
  due(entry: ClientEntry, now: number): boolean {
    return this.shared !== undefined && now - entry.checkedAt >= this.#checkIntervalMs && now >= this.#downUntil
  }

  /** Looks `client` up in Redis, brings the local list in step, and returns the milliseconds left of its ban. */
  async refresh(client: string, entry: ClientEntry): Promise<number> {
    const shared = this.shared as SharedBans
    entry.checkedAt = this.#now()
    let ttl: number
    try {
      ttl = await shared.remaining(client)
    } catch (error) {
      this.#failed(error)
      return this.remaining(client, this.#now())
    }
    this.#succeeded()
    const now = this.#now()
    const local = this.list.get(client)
    if (ttl > 0 || ttl === NO_EXPIRY) {
      // A key someone set without an expiry bans until it is deleted: hold it until the next lookup.
      const until = now + (ttl > 0 ? ttl : Math.max(this.#checkIntervalMs, 1000))
      if (local === undefined) this.list.set(client, until, true)
      else {
        local.until = until
        local.stored = true
      }
      return until - now
    }
    if (local === undefined) return 0
    if (local.until <= now) {
      this.#end(client, 'expired')
      return 0
    }
    if (local.stored) {
      // Redis had it and no longer does: another instance lifted it.
      this.#end(client, 'lifted-elsewhere')
      return 0
    }
    // Made while Redis was unreachable: share it now.
    void this.#store(client, local)
    return local.until - now
  }

  /** Bans `client` until `until`; the returned promise settles once Redis has it (or failed to take it). */
  ban(client: string, until: number): Promise<void> {
    const entry = this.list.set(client, until, false)
    return this.shared === undefined ? Promise.resolve() : this.#store(client, entry)
  }

  /** Lifts `client`'s ban here and in Redis; true if this process held one. */
  async unban(client: string): Promise<boolean> {
    const held = this.list.delete(client)
    if (held && unbannedChannel.hasSubscribers) unbannedChannel.publish({ client, reason: 'manual' })
    if (this.shared !== undefined) {
      try {
        await this.shared.delete(client)
        this.#succeeded()
      } catch (error) {
        this.#failed(error)
      }
    }
    return held
  }

  /** Ends every ban whose cooldown is over (with an `unbanned` event each). */
  sweep(now: number): void {
    const expired = this.list.sweep(now)
    if (unbannedChannel.hasSubscribers) {
      for (const client of expired) unbannedChannel.publish({ client, reason: 'expired' })
    }
  }

  async #store(client: string, entry: BanEntry): Promise<void> {
    const shared = this.shared as SharedBans
    const ms = entry.until - this.#now()
    if (ms <= 0) return
    try {
      await shared.set(client, ms)
      this.#succeeded()
      if (this.list.get(client) === entry) entry.stored = true
    } catch (error) {
      this.#failed(error)
    }
  }

  #end(client: string, reason: UnbanReason): void {
    this.list.delete(client)
    if (unbannedChannel.hasSubscribers) unbannedChannel.publish({ client, reason })
  }

  #failed(error: unknown): void {
    this.#downUntil = this.#now() + REDIS_RETRY_MS
    if (this.#down) return
    this.#down = true
    this.#log.warn(
      { err: error },
      '@rampart/ddos: Redis is unreachable; bans are local to this process until it is back',
    )
  }

  #succeeded(): void {
    if (!this.#down) return
    this.#down = false
    this.#downUntil = Number.NEGATIVE_INFINITY
    this.#log.info('@rampart/ddos: Redis is back; bans are shared again')
  }
}

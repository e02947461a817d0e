import { getClientAddressResolver } from '@rampart/core'
import type { FastifyInstance } from 'fastify'
import type { Policy } from './policy.js'
import type { RateLimitStore } from './store.js'

/** The start-up checks, each logged at most once per instance with `fastify.log.warn`. */
export const CHECKS = Object.freeze({
  forwardedUntrusted: 'rate-limit-forwarded-untrusted',
  trustsEveryone: 'rate-limit-trusts-everyone',
  sharedStoreWithoutPrefix: 'rate-limit-shared-store-without-prefix',
  storeReused: 'rate-limit-store-reused',
  zeroLimit: 'rate-limit-zero-limit',
  routeConfigIgnored: 'rate-limit-route-config-ignored',
})

export type CheckName = keyof typeof CHECKS

export class StartupChecks {
  readonly #fastify: FastifyInstance
  readonly #limiter: string
  readonly #logged = new Set<string>()

  constructor(fastify: FastifyInstance, limiter: string) {
    this.#fastify = fastify
    this.#limiter = limiter
  }

  /** Logs `message` once per `check` (and `detail`, e.g. a policy name). */
  warn(check: CheckName, message: string, detail = ''): void {
    const id = `${check}:${detail}`
    if (this.#logged.has(id)) return
    this.#logged.add(id)
    this.#fastify.log.warn({ check: CHECKS[check], limiter: this.#limiter }, `@rampart/rate-limit: ${message}`)
  }

  /** A limit of 0 refuses every request the policy applies to: allowed, but rarely meant. */
  zeroLimits(policies: readonly Policy[], where: string, scope: string): void {
    for (const policy of policies) {
      if (policy.capacity === 0) {
        this.warn(
          'zeroLimit',
          `policy "${policy.name}" (${where}) has a limit of 0: every request it applies to is refused with 429`,
          `${scope}:${policy.name}`,
        )
      }
    }
  }

  /** A store shared between processes with the default prefix collides with every other app using it. */
  sharedStore(store: RateLimitStore, prefixGiven: boolean, reused: boolean): void {
    if (store.shared && !prefixGiven) {
      this.warn(
        'sharedStoreWithoutPrefix',
        'the store is shared (e.g. Redis) but no `prefix` is set: every app and instance using it with the default prefix shares (and exhausts) the same limits. Set a prefix naming this app',
      )
    }
    if (reused) {
      this.warn(
        'storeReused',
        'the same store and prefix are used by another @rampart/rate-limit instance: their global policies share counters. Give each instance its own prefix',
      )
    }
  }

  /** At ready: a trust list covering every address lets any client pick its own key. */
  trustedProxies(): void {
    if (getClientAddressResolver(this.#fastify).trustedProxies?.trustsEveryone === true) {
      this.warn(
        'trustsEveryone',
        'the trusted proxy list covers every address (0.0.0.0/0 or ::/0): any client can set its own rate-limit key with X-Forwarded-For. Trust only your proxies',
      )
    }
  }

  /** On the first request carrying X-Forwarded-For: if nobody is trusted, we may be behind an unconfigured proxy. */
  forwardedFor(server: FastifyInstance): void {
    if (getClientAddressResolver(server).trustedProxies === undefined) {
      this.warn(
        'forwardedUntrusted',
        "a request arrived with X-Forwarded-For, but no proxy is trusted, so clients are counted by the socket peer. Behind a proxy, every client then shares the proxy's limit: register @rampart/proxy-headers with your proxies in `trustedProxies`",
      )
    }
  }
}

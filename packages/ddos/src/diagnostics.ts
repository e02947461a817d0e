import { EventChannel } from '@rampart/core'
import type { FastifyRequest } from 'fastify'
import { PACKAGE } from './errors.js'

/** Why a client was banned. */
export type BanReason = 'rate' | 'manual'

/**
 * `rampart:ddos:banned`: this instance banned a client, for crossing the request-rate threshold
 * (`request` is the request that crossed it) or through `fastify.rampartDdos.ban()` (`request` null).
 * Bans learned from Redis (decided by another instance) publish nothing here.
 */
export interface BannedEvent {
  /** The request that crossed the threshold; `null` for a ban made through the API. */
  request: FastifyRequest | null
  /** The client: an IPv4 address, an IPv6 prefix (`2001:db8:1:2::/64`) or `unknown`. */
  client: string
  /** When the ban ends, in ms since the epoch (by the plugin's clock). */
  until: number
  reason: BanReason
}

/** Why a ban ended. */
export type UnbanReason = 'expired' | 'manual' | 'lifted-elsewhere'

/**
 * `rampart:ddos:unbanned`: a ban this instance held ended: its cooldown expired (seen on the
 * client's next request or by the periodic sweep, every few seconds), it was lifted through
 * `fastify.rampartDdos.unban()`, or (with Redis) another instance lifted it.
 */
export interface UnbannedEvent {
  client: string
  reason: UnbanReason
}

/** The signal that moved the shedding level, or `recovered`. */
export type SheddingReason = 'event-loop-delay' | 'event-loop-utilization' | 'heap-used' | 'recovered'

/**
 * `rampart:ddos:shedding`: the shedding level changed. Level 1 sheds anonymous requests, level 2
 * sheds every request; 0 sheds nothing (`active` false).
 */
export interface SheddingEvent {
  active: boolean
  level: 0 | 1 | 2
  reason: SheddingReason
  /** Longest event-loop delay in the last sample window, ms. */
  eventLoopDelayMs: number
  /** Event-loop utilisation over the last sample window, 0..1. */
  utilization: number
  heapUsedBytes: number
}

/** `rampart:ddos:surge`: more than `surge.threshold` new clients arrived within one interval. */
export interface SurgeEvent {
  /** New clients counted in the interval so far (published once per interval, when the threshold is crossed). */
  distinctClients: number
  intervalMs: number
}

export const bannedChannel: EventChannel<BannedEvent> = new EventChannel<BannedEvent>(PACKAGE, 'banned')
export const unbannedChannel: EventChannel<UnbannedEvent> = new EventChannel<UnbannedEvent>(PACKAGE, 'unbanned')
export const sheddingChannel: EventChannel<SheddingEvent> = new EventChannel<SheddingEvent>(PACKAGE, 'shedding')
export const surgeChannel: EventChannel<SurgeEvent> = new EventChannel<SurgeEvent>(PACKAGE, 'surge')

import type { SharedBanState } from './bans.js'
import type { SheddingReason } from './diagnostics.js'
import type { SheddingLevel } from './load-shedder.js'
import type { SurgeStatus } from './surge-detector.js'

/** A snapshot of @rampart/ddos, from `fastify.rampartDdos.status()`. */
export interface DdosStatus {
  readonly shedding: {
    /** Load shedding is configured (`shedding` is not `false`). */
    readonly enabled: boolean
    /** Something is being shed (level > 0). */
    readonly active: boolean
    /** 0: nothing shed; 1: anonymous requests shed; 2: every request shed. */
    readonly level: SheddingLevel
    readonly reason: SheddingReason
    /** When the current level began (the plugin's clock), 0 if it never changed. */
    readonly since: number
    /** The latest sample. */
    readonly eventLoopDelayMs: number
    readonly utilization: number
    readonly heapUsedBytes: number
  }
  readonly inFlight: {
    /** The per-client cap, 0 when off. */
    readonly max: number
    readonly clients: number
    readonly requests: number
  }
  readonly bans: {
    /** Bans this process holds. */
    readonly count: number
    /** `off`: bans are per process; `ok`: shared through Redis; `down`: Redis failing, local only. */
    readonly shared: SharedBanState
  }
  readonly clients: {
    /** Clients in the table of recently seen clients. */
    readonly tracked: number
    readonly max: number
    /** Clients pushed out of the full table by newer ones. */
    readonly evictions: number
  }
  /** Undefined when the surge event is off. */
  readonly surge: SurgeStatus | undefined
}

/** `fastify.rampartDdos`. Clients are IP addresses or IPv6 prefixes as the events report them. */
export interface DdosControl {
  /** Bans `client` for `ms` (default `banMs`), here and in Redis; settles once Redis has it (or failed to). */
  ban(client: string, ms?: number): Promise<{ client: string; until: number }>
  /** Lifts `client`'s ban here and in Redis; true if this process held one. */
  unban(client: string): Promise<boolean>
  /** Milliseconds left of `client`'s ban as this process knows it (0: not banned). */
  bannedFor(client: string): number
  /** Requests of `client` in progress. */
  inFlight(client: string): number
  status(): DdosStatus
}

export type { SharedBanState } from './bans.js'
export {
  type BannedEvent,
  type BanReason,
  bannedChannel,
  type SheddingEvent,
  type SheddingReason,
  type SurgeEvent,
  sheddingChannel,
  surgeChannel,
  type UnbannedEvent,
  type UnbanReason,
  unbannedChannel,
} from './diagnostics.js'
export { BANNED, InvalidArgumentError, OVERLOADED, PACKAGE, TOO_MANY_IN_FLIGHT } from './errors.js'
export type { LoadSample } from './load-sampler.js'
export { LoadShedder, type SheddingLevel } from './load-shedder.js'
export {
  type DdosOptions,
  DEFAULTS,
  type RateOptions,
  type ResolvedDdosOptions,
  type ResolvedSheddingOptions,
  type ResolvedThresholds,
  resolveOptions,
  type SheddingHook,
  type SheddingOptions,
  type SurgeOptions,
  type ThresholdOptions,
} from './options.js'
export { default, rampartDdos, SWEEP_INTERVAL_MS } from './plugin.js'
export type { DdosControl, DdosStatus } from './status.js'
export type { SurgeStatus } from './surge-detector.js'

export { base32Decode, base32Encode } from './base32.js'
export {
  type BackupCodesRegeneratedEvent,
  backupCodesRegeneratedChannel,
  type DisabledEvent,
  disabledChannel,
  type EnabledEvent,
  type EnrolledEvent,
  enabledChannel,
  enrolledChannel,
  type FailedEvent,
  failedChannel,
  type LockedEvent,
  lockedChannel,
  type MfaEvent,
  type MfaFailureReason,
  type MfaMethod,
  type VerifiedEvent,
  verifiedChannel,
} from './diagnostics.js'
export {
  AlreadyEnabledError,
  ConflictError,
  CorruptRecordError,
  INVALID_CODE,
  InvalidArgumentError,
  LOCKED,
  NotEnabledError,
  PACKAGE,
  REQUIRED,
  StoreFullError,
  UNAUTHENTICATED,
} from './errors.js'
export { MEMORY_STORE_DEFAULTS, MemoryMfaStore, type MemoryMfaStoreOptions } from './memory-store.js'
export {
  createMfa,
  KEYRING_PURPOSE,
  type Mfa,
  type MfaCallContext,
  type MfaSetup,
  type MfaStatus,
  type MfaVerification,
} from './mfa.js'
export { hotp, matchingSteps, type OtpAlgorithm, timeStep, totp } from './one-time-password.js'
export {
  DEFAULTS,
  type MfaHook,
  type MfaOptions,
  type MfaPluginOptions,
  type QrCodeOptions,
  type QrErrorCorrection,
  type ResolvedMfaOptions,
  type ResolvedMfaPluginOptions,
  resolveMfaOptions,
  resolvePluginOptions,
} from './options.js'
export { otpauthUri, type ProvisioningParameters } from './otpauth-uri.js'
export { default, rampartMfa } from './plugin.js'
export { sendMfaFailure } from './replies.js'
export { hasSecondFactor, type MfaRouteConfig } from './route-config.js'
export { isMfaRecord, type MfaRecord, type MfaStore } from './store.js'

export type { AdminAction, Audit, AuthenticationAttempt, ResourceAccess, SecurityIncident } from './audit-log.js'
export type { AuditStats } from './buffer.js'
export { CAPTURED_CHANNELS } from './capture.js'
export {
  type DroppedEvent,
  type DropReason,
  droppedChannel,
  type RecordedEvent,
  recordedChannel,
  type SinkFailedEvent,
  type SinkType,
  sinkFailedChannel,
} from './diagnostics.js'
export { FileUnavailableError, InvalidEventError, MigrationError, PACKAGE } from './errors.js'
export { canonicalJson, recordHash } from './hash-chain.js'
export {
  type AuditOptions,
  type CaptureOptions,
  DEFAULTS,
  type FileSinkOptions,
  type PostgresSinkOptions,
  type RefusalCaptureOptions,
  type ResolvedAuditOptions,
  resolveOptions,
  type SinkOptions,
} from './options.js'
export { default, rampartAudit } from './plugin.js'
export {
  AUDIT_EVENT_TYPES,
  type AuditEvent,
  type AuditEventType,
  type AuditRecord,
  type AuditStatus,
  type SessionIdReader,
} from './record.js'
export { DEFAULT_REDACT_KEYS, REDACTED, type RedactionLimits, Redactor } from './redact.js'
export { type ChainedRecord, readLastLine } from './sinks/file-sink.js'
export { migrate, migrationStatements, type PoolLike } from './sinks/postgres-sink.js'
export { type VerifyBroken, type VerifyIntact, type VerifyResult, verify } from './verify.js'

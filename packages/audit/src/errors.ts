import { defineError, type RampartErrorConstructor } from '@rampart/core'

export const PACKAGE = 'audit'

/** `RAMPART_AUDIT_INVALID_EVENT`: `record()` was given something that is not an audit event (a programming error). */
export const InvalidEventError: RampartErrorConstructor = defineError(PACKAGE, 'INVALID_EVENT', '@rampart/audit: %s')

/** `RAMPART_AUDIT_MIGRATION_FAILED`: the PostgreSQL table could not be created. */
export const MigrationError: RampartErrorConstructor = defineError(
  PACKAGE,
  'MIGRATION_FAILED',
  '@rampart/audit: creating %s failed: %s',
)

/** `RAMPART_AUDIT_FILE_UNAVAILABLE`: the JSON-lines file could not be opened at register. */
export const FileUnavailableError: RampartErrorConstructor = defineError(
  PACKAGE,
  'FILE_UNAVAILABLE',
  '@rampart/audit: cannot open the audit file %s: %s',
)

import { isAbsolute, resolve } from 'node:path'
import { OptionValidator } from '@rampart/core'
import type { BufferSettings } from './buffer.js'
import { PACKAGE } from './errors.js'
import type { SessionIdReader } from './record.js'
import { normalizeKey } from './redact.js'
import type { FileSinkSettings } from './sinks/file-sink.js'
import { IDENTIFIER, type PoolLike, type PostgresSinkSettings } from './sinks/postgres-sink.js'

/** The JSON-lines file (the default). */
export interface FileSinkOptions {
  type: 'file'
  /** The file, resolved against the working directory; its directory is created. Default `'audit.jsonl'`. */
  path?: string
  /** `fdatasync` after every batch (durable across power loss, slower). Default `false`. */
  sync?: boolean
}

/** PostgreSQL through `pg`. Give `connectionString` or `pool`. */
export interface PostgresSinkOptions {
  type: 'postgres'
  /** `postgres://user:password@host:port/database`: the sink builds (and ends) its own small pool. */
  connectionString?: string
  /** Your `pg.Pool` (never ended by the sink). */
  pool?: PoolLike
  /** Schema of the table (created by the migration unless `public`). Default `'public'`. */
  schema?: string
  /** Table name. Default `'rampart_audit_events'`. */
  table?: string
  /** Create the table and indexes if missing (at start, and before writing if that failed). Default `true`. */
  migrate?: boolean
  /** ms to wait for a connection (own pool only). Default 5,000. */
  connectionTimeout?: number
  /** ms an insert may take before it counts as failed (and is retried). Default 10,000. */
  queryTimeout?: number
  /** Connections of the own pool. Default 2. */
  poolSize?: number
}

export type SinkOptions = FileSinkOptions | PostgresSinkOptions

/** Which refusals (`rampart:core:refusal`) are recorded as security incidents. */
export interface RefusalCaptureOptions {
  /** Statuses recorded. Default `[401, 403, 429]`. */
  statuses?: readonly number[]
  /** Codes recorded whatever their status (e.g. `RAMPART_CONTENT_GUARD_NULL_BYTE`). Default none. */
  codes?: readonly string[]
  /**
   * Refusing packages skipped because another channel records them better. Default
   * `['auth', 'api-key', 'shield']` (their `failed` / `detected` events carry the reason).
   */
  ignoreSources?: readonly string[]
}

/** The events recorded automatically from the suite's diagnostics channels. */
export interface CaptureOptions {
  /** `rampart:auth:authenticated` and `rampart:api-key:authenticated` (every authenticated request). Default `true`. */
  authenticated?: boolean
  /** `rampart:auth:failed` and `rampart:api-key:failed`. Default `true`. */
  authFailures?: boolean
  /** `rampart:core:refusal`, or `false`. Default: see `RefusalCaptureOptions`. */
  refusals?: RefusalCaptureOptions | false
  /** `rampart:shield:detected`. Default `true`. */
  shield?: boolean
  /**
   * ms during which repeats of one automatic failure or incident (same kind, same client, same
   * code or rule) are counted instead of recorded; the count is recorded when the window ends.
   * Bounds the log under a flood. `0` records every one. Default 60,000.
   */
  repeatWindow?: number
}

/** Options of @rampart/audit. */
export interface AuditOptions {
  /** Where records go. Default `{ type: 'file', path: 'audit.jsonl' }`. */
  sink?: SinkOptions
  /** Records per write (one multi-row INSERT, one append). Default 100. */
  batchSize?: number
  /** ms a partial batch waits before it is written. Default 1,000. */
  flushInterval?: number
  /** Records kept in memory while the sink fails; beyond it new records are dropped (counted, reported). Default 10,000. */
  maxBuffer?: number
  /** Backoff between attempts while the sink fails, in ms. Default `{ minDelay: 250, maxDelay: 30_000 }`. */
  retry?: { minDelay?: number; maxDelay?: number }
  /** ms the graceful shutdown (`onClose`) waits for buffered records to be written. Default 5,000. */
  closeTimeout?: number
  /** Key fragments redacted in `details`, added to `DEFAULT_REDACT_KEYS` (which always apply). Default none. */
  redactKeys?: readonly string[]
  /** `User-Agent` is cut to this many characters. Default 512. */
  maxUserAgentLength?: number
  /** Other text fields and strings in `details` are cut to this many characters. Default 2,048. */
  maxStringLength?: number
  /** Reads the session id of a request for `session_id`. Default none. */
  sessionId?: SessionIdReader
  /** Which suite events are recorded automatically. */
  capture?: CaptureOptions
  /** Register the `audit` health check (@rampart/health). Default `true`. */
  healthCheck?: boolean
  /** Clock, ms since the epoch (timestamps, repeat windows). Default `Date.now`. */
  now?: () => number
}

export interface ResolvedRefusalCapture {
  readonly statuses: ReadonlySet<number>
  readonly codes: ReadonlySet<string>
  readonly ignoreSources: ReadonlySet<string>
}

export interface ResolvedCapture {
  readonly authenticated: boolean
  readonly authFailures: boolean
  readonly refusals: ResolvedRefusalCapture | false
  readonly shield: boolean
  readonly repeatWindow: number
}

export type ResolvedSink =
  | ({ readonly type: 'file' } & FileSinkSettings)
  | ({ readonly type: 'postgres' } & PostgresSinkSettings)

export interface ResolvedAuditOptions extends BufferSettings {
  readonly sink: ResolvedSink
  readonly redactKeys: readonly string[]
  readonly maxUserAgentLength: number
  readonly maxStringLength: number
  readonly sessionId: SessionIdReader | undefined
  readonly capture: ResolvedCapture
  readonly healthCheck: boolean
  readonly now: () => number
}

export const DEFAULTS = Object.freeze({
  sink: Object.freeze({ type: 'file', path: 'audit.jsonl', sync: false }),
  postgres: Object.freeze({
    schema: 'public',
    table: 'rampart_audit_events',
    migrate: true,
    connectionTimeout: 5_000,
    queryTimeout: 10_000,
    poolSize: 2,
  }),
  batchSize: 100,
  flushInterval: 1_000,
  maxBuffer: 10_000,
  retry: Object.freeze({ minDelay: 250, maxDelay: 30_000 }),
  closeTimeout: 5_000,
  redactKeys: Object.freeze([]) as readonly string[],
  maxUserAgentLength: 512,
  maxStringLength: 2_048,
  capture: Object.freeze({
    authenticated: true,
    authFailures: true,
    refusals: Object.freeze({
      statuses: Object.freeze([401, 403, 429]),
      codes: Object.freeze([]) as readonly string[],
      ignoreSources: Object.freeze(['auth', 'api-key', 'shield']),
    }),
    shield: true,
    repeatWindow: 60_000,
  }),
  healthCheck: true,
  now: Date.now,
})

const OPTION_KEYS = [
  'sink',
  'batchSize',
  'flushInterval',
  'maxBuffer',
  'retry',
  'closeTimeout',
  'redactKeys',
  'maxUserAgentLength',
  'maxStringLength',
  'sessionId',
  'capture',
  'healthCheck',
  'now',
]
const HOUR = 3_600_000
/** Rows per INSERT are capped so that 13 parameters a row stay under PostgreSQL's 65,535. */
const MAX_BATCH = 5_000
const CONNECTION_STRING = /^postgres(?:ql)?:\/\//

const validate = new OptionValidator(PACKAGE)

function resolveSink(value: unknown): ResolvedSink {
  const given = validate.object('sink', value)
  const type = validate.oneOf('sink.type', given.type, ['file', 'postgres'] as const)
  if (type === 'file') {
    validate.knownKeys('sink', given, ['type', 'path', 'sync'])
    const path = validate.string('sink.path', given.path ?? DEFAULTS.sink.path)
    if (path.includes('\0')) validate.fail('sink.path', 'must not contain NUL', path)
    return Object.freeze({
      type,
      path: isAbsolute(path) ? path : resolve(path),
      sync: validate.boolean('sink.sync', given.sync ?? DEFAULTS.sink.sync),
    })
  }
  validate.knownKeys('sink', given, ['type', ...Object.keys(DEFAULTS.postgres), 'connectionString', 'pool'])
  const defaults = DEFAULTS.postgres
  let pool: PoolLike | undefined
  let connectionString: string | undefined
  if (given.pool !== undefined) {
    const candidate = given.pool as PoolLike | null
    if (
      candidate === null ||
      typeof candidate !== 'object' ||
      typeof candidate.query !== 'function' ||
      typeof candidate.connect !== 'function'
    ) {
      validate.fail('sink.pool', 'must be a pg.Pool', given.pool)
    }
    pool = candidate as PoolLike
  }
  if (given.connectionString !== undefined) {
    connectionString = validate.string('sink.connectionString', given.connectionString)
    // Never echo it: it may hold a password.
    if (!CONNECTION_STRING.test(connectionString)) {
      validate.fail('sink.connectionString', 'must be a postgres:// or postgresql:// URL')
    }
  }
  if ((pool === undefined) === (connectionString === undefined)) {
    validate.fail('sink', 'of type "postgres" needs exactly one of connectionString and pool')
  }
  const identifier = { pattern: IDENTIFIER }
  return Object.freeze({
    type,
    pool,
    connectionString,
    schema: validate.string('sink.schema', given.schema ?? defaults.schema, identifier),
    table: validate.string('sink.table', given.table ?? defaults.table, identifier),
    migrate: validate.boolean('sink.migrate', given.migrate ?? defaults.migrate),
    connectionTimeout: validate.integer(
      'sink.connectionTimeout',
      given.connectionTimeout ?? defaults.connectionTimeout,
      {
        min: 1,
        max: HOUR,
      },
    ),
    queryTimeout: validate.integer('sink.queryTimeout', given.queryTimeout ?? defaults.queryTimeout, {
      min: 1,
      max: HOUR,
    }),
    poolSize: validate.integer('sink.poolSize', given.poolSize ?? defaults.poolSize, { min: 1, max: 100 }),
  })
}

function resolveRefusals(value: unknown): ResolvedRefusalCapture | false {
  if (value === false) return false
  const defaults = DEFAULTS.capture.refusals
  const given = validate.object('capture.refusals', value)
  validate.knownKeys('capture.refusals', given, Object.keys(defaults))
  const statuses = given.statuses ?? defaults.statuses
  if (!Array.isArray(statuses))
    validate.fail('capture.refusals.statuses', 'must be an array of HTTP statuses', statuses)
  for (const [index, status] of (statuses as unknown[]).entries()) {
    validate.integer(`capture.refusals.statuses[${index}]`, status, { min: 400, max: 599 })
  }
  return Object.freeze({
    statuses: new Set(statuses as number[]),
    codes: new Set(validate.stringList('capture.refusals.codes', given.codes ?? defaults.codes)),
    ignoreSources: new Set(
      validate.stringList('capture.refusals.ignoreSources', given.ignoreSources ?? defaults.ignoreSources),
    ),
  })
}

function resolveCapture(value: unknown): ResolvedCapture {
  const defaults = DEFAULTS.capture
  const given = validate.object('capture', value)
  validate.knownKeys('capture', given, Object.keys(defaults))
  return Object.freeze({
    authenticated: validate.boolean('capture.authenticated', given.authenticated ?? defaults.authenticated),
    authFailures: validate.boolean('capture.authFailures', given.authFailures ?? defaults.authFailures),
    refusals: resolveRefusals(given.refusals ?? defaults.refusals),
    shield: validate.boolean('capture.shield', given.shield ?? defaults.shield),
    repeatWindow: validate.integer('capture.repeatWindow', given.repeatWindow ?? defaults.repeatWindow, {
      min: 0,
      max: 24 * HOUR,
    }),
  })
}

function resolveRedactKeys(value: unknown): string[] {
  const keys = validate.stringList('redactKeys', value)
  keys.forEach((key, index) => {
    if (normalizeKey(key).length === 0) validate.fail(`redactKeys[${index}]`, 'must contain a letter or digit', key)
  })
  return keys
}

/** Validates the user's options and folds in the defaults; throws `RAMPART_AUDIT_INVALID_OPTION`. */
export function resolveOptions(options: AuditOptions = {}): ResolvedAuditOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, OPTION_KEYS)
  const retry = validate.object('retry', options.retry ?? DEFAULTS.retry)
  validate.knownKeys('retry', retry, Object.keys(DEFAULTS.retry))
  const minDelay = validate.integer('retry.minDelay', retry.minDelay ?? DEFAULTS.retry.minDelay, { min: 1, max: HOUR })
  const maxDelay = validate.integer('retry.maxDelay', retry.maxDelay ?? DEFAULTS.retry.maxDelay, {
    min: minDelay,
    max: HOUR,
  })
  const batchSize = validate.integer('batchSize', options.batchSize ?? DEFAULTS.batchSize, { min: 1, max: MAX_BATCH })
  return Object.freeze({
    sink: resolveSink(options.sink ?? DEFAULTS.sink),
    batchSize,
    flushInterval: validate.integer('flushInterval', options.flushInterval ?? DEFAULTS.flushInterval, {
      min: 0,
      max: HOUR,
    }),
    maxBuffer: validate.integer('maxBuffer', options.maxBuffer ?? DEFAULTS.maxBuffer, {
      min: batchSize,
      max: 10_000_000,
    }),
    retry: Object.freeze({ minDelay, maxDelay }),
    closeTimeout: validate.integer('closeTimeout', options.closeTimeout ?? DEFAULTS.closeTimeout, {
      min: 0,
      max: 10 * 60_000,
    }),
    redactKeys: Object.freeze(resolveRedactKeys(options.redactKeys ?? DEFAULTS.redactKeys)),
    maxUserAgentLength: validate.integer(
      'maxUserAgentLength',
      options.maxUserAgentLength ?? DEFAULTS.maxUserAgentLength,
      {
        min: 16,
        max: 65_536,
      },
    ),
    maxStringLength: validate.integer('maxStringLength', options.maxStringLength ?? DEFAULTS.maxStringLength, {
      min: 16,
      max: 1_048_576,
    }),
    sessionId:
      options.sessionId === undefined ? undefined : validate.func<SessionIdReader>('sessionId', options.sessionId),
    capture: resolveCapture(options.capture ?? {}),
    healthCheck: validate.boolean('healthCheck', options.healthCheck ?? DEFAULTS.healthCheck),
    now: validate.func<() => number>('now', options.now ?? DEFAULTS.now),
  })
}

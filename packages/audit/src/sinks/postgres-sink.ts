import type { FastifyBaseLogger } from 'fastify'
import pg from 'pg'
import type { BatchWriter, RejectedRecord } from '../buffer.js'
import { MigrationError } from '../errors.js'
import { type AuditRecord, RECORD_FIELDS } from '../record.js'

/** What the sink needs of a pool: `pg.Pool` (or anything with the same `query` and `connect`). */
export interface PoolLike {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>
  connect(): Promise<pg.PoolClient>
  on?(event: 'error', listener: (error: Error) => void): unknown
  off?(event: 'error', listener: (error: Error) => void): unknown
  end?(): Promise<void>
}

export interface PostgresSinkSettings {
  /** A pool of yours (never ended by the sink), or `undefined` to build one from `connectionString`. */
  readonly pool: PoolLike | undefined
  readonly connectionString: string | undefined
  readonly schema: string
  readonly table: string
  readonly migrate: boolean
  readonly connectionTimeout: number
  readonly queryTimeout: number
  readonly poolSize: number
}

/** A PostgreSQL identifier we accept unquoted-safe: lowercase letters, digits, `_`; short enough for index names. */
export const IDENTIFIER: RegExp = /^[a-z_][a-z0-9_]{0,47}$/

const COLUMNS = RECORD_FIELDS.map((field) => `"${field}"`).join(', ')
const NONE_REJECTED: readonly RejectedRecord[] = Object.freeze([])

/** Where the table is: `"schema"."table"`, from validated identifiers. */
export function qualifiedName(schema: string, table: string): string {
  if (!IDENTIFIER.test(schema)) throw new TypeError(`invalid schema name ${JSON.stringify(schema)}`)
  if (!IDENTIFIER.test(table)) throw new TypeError(`invalid table name ${JSON.stringify(table)}`)
  return `"${schema}"."${table}"`
}

/**
 * The statements `migrate` runs, in one transaction under an advisory lock (so instances starting
 * together do not race). Idempotent: `IF NOT EXISTS` throughout.
 */
export function migrationStatements(schema: string, table: string): string[] {
  const name = qualifiedName(schema, table)
  const statements: string[] = []
  if (schema !== 'public') statements.push(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
  statements.push(
    `CREATE TABLE IF NOT EXISTS ${name} (
  "id" uuid PRIMARY KEY,
  "timestamp" timestamptz NOT NULL,
  "event_type" text NOT NULL,
  "user_id" text,
  "ip_address" text,
  "user_agent" text,
  "resource_type" text,
  "resource_id" text,
  "action" text,
  "status" text NOT NULL,
  "details" jsonb NOT NULL DEFAULT '{}'::jsonb,
  "session_id" text,
  "request_id" text
)`,
    `CREATE INDEX IF NOT EXISTS "${table}_timestamp_idx" ON ${name} ("timestamp")`,
    `CREATE INDEX IF NOT EXISTS "${table}_user_id_idx" ON ${name} ("user_id", "timestamp")`,
    `CREATE INDEX IF NOT EXISTS "${table}_event_type_idx" ON ${name} ("event_type", "timestamp")`,
    `CREATE INDEX IF NOT EXISTS "${table}_session_id_idx" ON ${name} ("session_id")`,
  )
  return statements
}

/** Creates the audit table and its indexes if they do not exist. */
export async function migrate(
  pool: PoolLike,
  { schema = 'public', table = 'rampart_audit_events' }: { schema?: string; table?: string } = {},
): Promise<void> {
  const statements = migrationStatements(schema, table)
  const client = await pool.connect()
  let failure: Error | undefined
  try {
    await client.query('BEGIN')
    await client.query({
      text: 'SELECT pg_advisory_xact_lock(hashtext($1))',
      values: [`rampart-audit:${schema}.${table}`],
    })
    for (const statement of statements) await client.query(statement)
    await client.query('COMMIT')
  } catch (error) {
    failure = error as Error
    await client.query('ROLLBACK').catch(() => {})
    throw new MigrationError(`${schema}.${table}`, failure.message, { cause: failure })
  } finally {
    client.release(failure)
  }
}

/** SQLSTATE classes of errors about the data itself: retrying the same row fails again. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && code.length === 5 && /^(?:22|23|54)/.test(code)
}

/** `42P01`: the table is gone (dropped, or another database after a failover). */
function isMissingTable(error: unknown): boolean {
  return (error as { code?: unknown }).code === '42P01'
}

/**
 * The PostgreSQL sink: batches as one multi-row `INSERT ... ON CONFLICT (id) DO NOTHING` (a batch
 * retried after a lost acknowledgement is not duplicated). The table is created on first use when
 * `migrate` is on, and again if it disappears. A batch PostgreSQL refuses for its data is retried
 * row by row so one bad record cannot block the rest.
 */
export class PostgresWriter implements BatchWriter {
  readonly type = 'postgres' as const
  readonly #settings: PostgresSinkSettings
  readonly #pool: PoolLike
  readonly #ownsPool: boolean
  readonly #name: string
  readonly #onPoolError: (error: Error) => void
  #migrated: boolean

  constructor(settings: PostgresSinkSettings, log: FastifyBaseLogger) {
    this.#settings = settings
    this.#name = qualifiedName(settings.schema, settings.table)
    this.#migrated = !settings.migrate
    this.#ownsPool = settings.pool === undefined
    this.#pool =
      settings.pool ??
      new pg.Pool({
        connectionString: settings.connectionString,
        max: settings.poolSize,
        connectionTimeoutMillis: settings.connectionTimeout,
        idleTimeoutMillis: 10_000,
        application_name: 'rampart-audit',
      })
    // An idle client whose server went away emits `error` on the pool: without a listener, that
    // would crash the process. The next write fails and is retried instead.
    this.#onPoolError = (error) => log.warn({ err: error }, 'audit: an idle PostgreSQL connection failed')
    this.#pool.on?.('error', this.#onPoolError)
  }

  get pool(): PoolLike {
    return this.#pool
  }

  /** Creates the table now (the plugin tries at start; a failure is retried before the next batch). */
  async migrate(): Promise<void> {
    await migrate(this.#pool, { schema: this.#settings.schema, table: this.#settings.table })
    this.#migrated = true
  }

  async write(batch: readonly AuditRecord[]): Promise<readonly RejectedRecord[]> {
    if (!this.#migrated) await this.migrate()
    try {
      await this.#insert(batch)
      return NONE_REJECTED
    } catch (error) {
      if (isMissingTable(error) && this.#settings.migrate) this.#migrated = false
      if (!isDataError(error)) throw error
    }
    const rejected: RejectedRecord[] = []
    for (const record of batch) {
      try {
        await this.#insert([record])
      } catch (error) {
        if (!isDataError(error)) throw error
        rejected.push({ record, error: error as Error })
      }
    }
    return rejected
  }

  async close(): Promise<void> {
    this.#pool.off?.('error', this.#onPoolError)
    if (this.#ownsPool) await this.#pool.end?.()
  }

  describe(): Readonly<Record<string, unknown>> {
    return { table: `${this.#settings.schema}.${this.#settings.table}` }
  }

  async #insert(batch: readonly AuditRecord[]): Promise<void> {
    const values: unknown[] = []
    const rows: string[] = []
    for (const record of batch) {
      const base = values.length
      rows.push(`(${RECORD_FIELDS.map((_, index) => `$${base + index + 1}`).join(', ')})`)
      for (const field of RECORD_FIELDS) {
        values.push(field === 'details' ? JSON.stringify(record.details) : record[field])
      }
    }
    await this.#pool.query({
      text: `INSERT INTO ${this.#name} (${COLUMNS}) VALUES ${rows.join(', ')} ON CONFLICT ("id") DO NOTHING`,
      values,
      query_timeout: this.#settings.queryTimeout,
    } as pg.QueryConfig)
  }
}

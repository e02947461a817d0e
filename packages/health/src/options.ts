import {
  type EndpointProtection,
  type EndpointProtectionOptions,
  type HealthCheck,
  OptionValidator,
  resolveEndpointProtection,
} from '@rampart/core'
import {
  type RedisConnectionOptions,
  type ResolvedRedisConnectionOptions,
  resolveRedisConnectionOptions,
} from '@rampart/redis'
import type { Pool } from 'pg'
import { PACKAGE } from './errors.js'

/** Options of @rampart/health. */
export interface HealthOptions {
  /** Liveness route: 200 `{"status":"ok"}`, no checks, cheap. `false`: not registered. Default `'/health'`. */
  livenessPath?: string | false
  /** Readiness/detail route running every check. `false`: not registered. Default `'/health/detailed'`. */
  detailedPath?: string | false
  /** Who may read the detailed route (bearer token and/or address allowlist). Default: anyone. */
  protection?: EndpointProtectionOptions
  /** Your own checks by name, added to those the suite's plugins register through core. */
  checks?: Readonly<Record<string, HealthCheck>>
  /** Redis to `PING` (check `redis`): a URL, an ioredis client or `{ client | url, commandTimeout }`. */
  redis?: RedisConnectionOptions | RedisConnectionOptions['client'] | string
  /** PostgreSQL to `SELECT 1` (check `postgres`): a `pg` Pool or `{ connectionString }`. */
  postgres?: Pool | { connectionString: string }
  /** Milliseconds a check may take before it counts as `down`. Default 1000. */
  timeout?: number
  /** Results are reused for this many ms, so a flood of detail requests runs the checks once. Default 1000. */
  cacheMs?: number
  /** Event-loop delay p99 (ms) from which the loop is `degraded`. Default 200. */
  eventLoopDegradedMs?: number
  /** Fraction of the V8 heap limit in use from which memory is `degraded`. Default 0.9. */
  heapDegradedRatio?: number
}

export interface ResolvedHealthOptions {
  readonly livenessPath: string | false
  readonly detailedPath: string | false
  readonly protection: EndpointProtection | undefined
  readonly checks: ReadonlyMap<string, HealthCheck>
  readonly redis: ResolvedRedisConnectionOptions | undefined
  readonly postgres: { readonly pool: Pool | undefined; readonly connectionString: string | undefined } | undefined
  readonly timeout: number
  readonly cacheMs: number
  readonly eventLoopDegradedMs: number
  readonly heapDegradedRatio: number
}

export const DEFAULTS = Object.freeze({
  livenessPath: '/health' as string | false,
  detailedPath: '/health/detailed' as string | false,
  timeout: 1000,
  cacheMs: 1000,
  eventLoopDegradedMs: 200,
  heapDegradedRatio: 0.9,
})

const validate = new OptionValidator(PACKAGE)
const KNOWN = [...Object.keys(DEFAULTS), 'protection', 'checks', 'redis', 'postgres']
const NAME = /^[a-z][a-z0-9_:.-]{0,63}$/

function path(option: string, value: unknown): string | false {
  if (value === false) return false
  const given = validate.string(option, value)
  if (!given.startsWith('/') || /[?#\s]/.test(given)) {
    validate.fail(option, 'must be a path starting with "/" (no query, fragment or spaces), or false', value)
  }
  return given
}

function isPool(value: unknown): value is Pool {
  return typeof value === 'object' && value !== null && typeof (value as Pool).query === 'function'
}

export function resolveOptions(options: HealthOptions = {}): ResolvedHealthOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, KNOWN)
  const checks = new Map<string, HealthCheck>()
  if (given.checks !== undefined) {
    for (const [name, check] of Object.entries(validate.object('checks', given.checks))) {
      if (!NAME.test(name))
        validate.fail(`checks.${name}`, 'is not a valid check name ([a-z0-9_:.-], starting with a letter)')
      checks.set(name, validate.func(`checks.${name}`, check) as HealthCheck)
    }
  }
  let postgres: ResolvedHealthOptions['postgres']
  if (given.postgres !== undefined) {
    if (isPool(given.postgres)) postgres = { pool: given.postgres, connectionString: undefined }
    else {
      const pg = validate.object('postgres', given.postgres)
      validate.knownKeys('postgres', pg, ['connectionString'])
      const connectionString = validate.string('postgres.connectionString', pg.connectionString, {
        pattern: /^postgres(ql)?:\/\/\S+$/,
      })
      postgres = { pool: undefined, connectionString }
    }
  }
  const livenessPath = path('livenessPath', given.livenessPath ?? DEFAULTS.livenessPath)
  const detailedPath = path('detailedPath', given.detailedPath ?? DEFAULTS.detailedPath)
  if (livenessPath !== false && livenessPath === detailedPath) {
    validate.fail('detailedPath', 'must differ from livenessPath', detailedPath)
  }
  return Object.freeze({
    livenessPath,
    detailedPath,
    protection:
      given.protection === undefined ? undefined : resolveEndpointProtection(validate, 'protection', given.protection),
    checks,
    redis: given.redis === undefined ? undefined : resolveRedisConnectionOptions(PACKAGE, 'redis', given.redis),
    postgres,
    timeout: validate.integer('timeout', given.timeout ?? DEFAULTS.timeout, { min: 1, max: 60_000 }),
    cacheMs: validate.integer('cacheMs', given.cacheMs ?? DEFAULTS.cacheMs, { min: 0, max: 3_600_000 }),
    eventLoopDegradedMs: validate.integer(
      'eventLoopDegradedMs',
      given.eventLoopDegradedMs ?? DEFAULTS.eventLoopDegradedMs,
      { min: 1, max: 60_000 },
    ),
    heapDegradedRatio: validate.number('heapDegradedRatio', given.heapDegradedRatio ?? DEFAULTS.heapDegradedRatio, {
      min: 0.01,
      max: 1,
    }),
  })
}

import type { AlertsOptions } from '@rampart/alerts'
import type { ApiKeyStrategyOptions } from '@rampart/api-key'
import type { AuditOptions } from '@rampart/audit'
import type { AuthOptions } from '@rampart/auth'
import type { CircuitBreakerOptions } from '@rampart/circuit-breaker'
import type { ContentGuardOptions } from '@rampart/content-guard'
import { OptionValidator } from '@rampart/core'
import type { CorsOptions } from '@rampart/cors'
import type { CsrfOptions } from '@rampart/csrf'
import type { DdosOptions } from '@rampart/ddos'
import { bundledDatabasePath, type GeoOptions } from '@rampart/geo'
import type { HeadersOptions } from '@rampart/headers'
import type { HealthOptions } from '@rampart/health'
import type { JwtStrategyOptions } from '@rampart/jwt'
import type { MetricsOptions } from '@rampart/metrics'
import type { ProxyHeadersOptions } from '@rampart/proxy-headers'
import type { RateLimitOptions } from '@rampart/rate-limit'
import type { RbacOptions } from '@rampart/rbac'
import type { RequestIdOptions } from '@rampart/request-id'
import type { RequestLogOptions } from '@rampart/request-log'
import type { SessionOptions } from '@rampart/session'
import type { ShieldOptions } from '@rampart/shield'
import type { SignatureOptions } from '@rampart/signature'
import type { TrustedHostOptions } from '@rampart/trusted-host'
import { PACKAGE } from './errors.js'

/** The phases this version of the preset can register. */
export const PHASES = [1, 2, 3] as const
export type Phase = (typeof PHASES)[number]

/** @rampart/auth's options without `strategies`: the preset builds them from `jwt` and `apiKey`. */
export type PresetAuthOptions = Omit<AuthOptions, 'strategies'>

/**
 * Options of @rampart/preset. Each plugin key takes that plugin's options, or `false` to leave the
 * plugin out; a key left undefined registers the plugin with the preset's defaults for it.
 */
export interface PresetOptions {
  /** Which phase to register; every phase includes the ones before it. Default: the highest built (3). */
  phase?: Phase
  /** Problem+json for Fastify's own errors (404, 400, 413, 415) through core's handlers. Default: true. */
  problemReplies?: boolean
  /**
   * Phase 2+: Redis for the shared stores, as a `redis://` URL or an ioredis client: rate-limit
   * counts, and in phase 3 DDoS bans, signature nonces and the health check's `PING`. Unset:
   * in-memory stores, per instance, with a warning at start-up. A plugin's own `redis` (or
   * `rateLimit.store`) takes precedence.
   */
  redis?: RateLimitOptions['redis']
  /** Log one warning at start-up when phase 2+ keeps its shared state in memory (no Redis). Default true. */
  memoryWarning?: boolean
  proxyHeaders?: ProxyHeadersOptions | false
  requestId?: RequestIdOptions | false
  headers?: HeadersOptions | false
  trustedHost?: TrustedHostOptions | false
  cors?: CorsOptions | false
  /** Phase 2+: the JWT strategy of `auth` (`secret` or `keys` required), or `false`. */
  jwt?: JwtStrategyOptions | false
  /** Phase 2+: the API key strategy of `auth` (`keys`, `store` or `validate`). Default: none (JWT only). */
  apiKey?: ApiKeyStrategyOptions | false
  /** Phase 2+: @rampart/auth over the `jwt` and `apiKey` strategies (tried in that order). */
  auth?: PresetAuthOptions | false
  rateLimit?: RateLimitOptions | false
  contentGuard?: ContentGuardOptions | false
  requestLog?: RequestLogOptions | false
  /** Phase 3: per-client in-flight caps, bans and load shedding, before authentication. */
  ddos?: DdosOptions | false
  /** Phase 3: country allow/block lists. Default database: the bundled CC0 one (`bundledDatabasePath()`). */
  geo?: (Omit<GeoOptions, 'database'> & { database?: GeoOptions['database'] }) | false
  /** Phase 3: per-route circuit breakers, after authentication and rate limiting. */
  circuitBreaker?: CircuitBreakerOptions | false
  /** Phase 3, opt-in (needs `keys`): HMAC request signatures on the paths that require them. */
  signature?: SignatureOptions | false
  /** Any phase, opt-in: server-side sessions (Redis with `redis`, else memory). */
  session?: SessionOptions | false
  /**
   * Any phase, opt-in: CSRF tokens and Fetch Metadata / Origin checks. `sessionId` defaults to
   * @rampart/session's `getSessionId` when `session` is registered.
   */
  csrf?: (Omit<CsrfOptions, 'sessionId'> & { sessionId?: CsrfOptions['sessionId'] }) | false
  /** Phase 2+, opt-in: roles and permissions (`config.rampart.rbac` on routes), after auth and the limiter. */
  rbac?: RbacOptions | false
  /** Any phase, opt-in: Prometheus metrics (registered first, so every refusal is timed and counted). */
  metrics?: MetricsOptions | false
  /** Any phase, opt-in: `/health` and `/health/detailed`. */
  health?: HealthOptions | false
  /** Any phase, opt-in: the security monitor (pattern checks), `monitor` mode by default. */
  shield?: ShieldOptions | false
  /** Any phase, opt-in: alerts over sliding windows of the suite's events. */
  alerts?: AlertsOptions | false
  /** Any phase, opt-in: the audit log (JSON lines by default, or PostgreSQL). */
  audit?: AuditOptions | false
}

/**
 * The plugins of each phase, in registration order (docs/architecture.md says why). Keys in
 * `OPT_IN` are registered only when their options are given (`{}` for their defaults).
 */
export const PHASE_PLUGINS = {
  1: [
    'metrics',
    'proxyHeaders',
    'requestId',
    'headers',
    'trustedHost',
    'cors',
    'shield',
    'session',
    'csrf',
    'rateLimit',
    'health',
    'contentGuard',
    'requestLog',
    'alerts',
    'audit',
  ],
  // Authentication before the limiter, so the limiter counts users by identity and tier.
  2: [
    'metrics',
    'proxyHeaders',
    'requestId',
    'headers',
    'trustedHost',
    'cors',
    'shield',
    'session',
    'csrf',
    'auth',
    'rateLimit',
    'rbac',
    'health',
    'contentGuard',
    'requestLog',
    'alerts',
    'audit',
  ],
  3: [
    'metrics',
    'proxyHeaders',
    'requestId',
    'headers',
    'trustedHost',
    'cors',
    'ddos',
    'geo',
    'shield',
    'session',
    'csrf',
    'auth',
    'rateLimit',
    'rbac',
    'circuitBreaker',
    'signature',
    'health',
    'contentGuard',
    'requestLog',
    'alerts',
    'audit',
  ],
} as const satisfies Record<Phase, readonly (keyof PresetOptions)[]>

/** Registered only when given: they need configuration (signature keys) or add routes and files. */
export const OPT_IN: ReadonlySet<string> = new Set([
  'metrics',
  'health',
  'shield',
  'session',
  'csrf',
  'alerts',
  'audit',
  'signature',
  'rbac',
])

export type PluginKey = (typeof PHASE_PLUGINS)[Phase][number]

/** Options that configure a plugin of the phase without being one (auth's strategies). */
const STRATEGY_KEYS = ['jwt', 'apiKey'] as const
type StrategyKey = (typeof STRATEGY_KEYS)[number]

export interface ResolvedPresetOptions {
  readonly phase: Phase
  readonly problemReplies: boolean
  readonly redis: RateLimitOptions['redis'] | undefined
  readonly memoryWarning: boolean
  readonly plugins: readonly { key: PluginKey; options: object }[]
  /** Phase 2+: the strategy options, in the order auth tries them; `false` left out. */
  readonly strategies: readonly { key: StrategyKey; options: object }[]
}

/**
 * What the preset passes a plugin left undefined, where the plugin's own default does not fit the
 * preset: trusted-host needs its list (`*` registers no hook at all), and auth in the preset leaves
 * routes public unless they ask for credentials (Phase 1 routes stay public in Phase 2).
 */
export const PLUGIN_DEFAULTS: Readonly<Partial<Record<PluginKey, object>>> = Object.freeze({
  trustedHost: Object.freeze({ allowedHosts: Object.freeze(['*']) }),
  auth: Object.freeze({ defaultPolicy: 'optional' }),
  geo: Object.freeze({ database: bundledDatabasePath() }),
})

const validate = new OptionValidator(PACKAGE)
const ALL_PLUGIN_KEYS: readonly PluginKey[] = PHASE_PLUGINS[3]

export function resolveOptions(options: PresetOptions = {}): ResolvedPresetOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, [
    'phase',
    'problemReplies',
    'redis',
    'memoryWarning',
    ...STRATEGY_KEYS,
    ...ALL_PLUGIN_KEYS,
  ])
  const phase = validate.oneOf('phase', options.phase ?? PHASES[PHASES.length - 1], PHASES)
  const problemReplies = validate.boolean('problemReplies', options.problemReplies ?? true)
  const plugins: { key: PluginKey; options: object }[] = []
  const keys: readonly PluginKey[] = PHASE_PLUGINS[phase]
  for (const key of keys) {
    const value = options[key]
    if (value === false || (value === undefined && OPT_IN.has(key))) continue
    const defaults = PLUGIN_DEFAULTS[key]
    const pluginOptions = value === undefined ? (defaults ?? {}) : validate.object(key, value)
    plugins.push({
      key,
      options: defaults !== undefined && value !== undefined ? { ...defaults, ...pluginOptions } : pluginOptions,
    })
  }
  const csrfPlugin = plugins.find((plugin) => plugin.key === 'csrf')
  if (
    csrfPlugin !== undefined &&
    !('sessionId' in csrfPlugin.options) &&
    !plugins.some((plugin) => plugin.key === 'session')
  ) {
    validate.fail('csrf', 'needs `sessionId`, or `session` registered (its session id is then used)')
  }
  const strategies: { key: StrategyKey; options: object }[] = []
  const later = (key: string, from: number) =>
    validate.fail(key, `is a phase ${from} option; phase ${phase} does not use it`)
  for (const key of ALL_PLUGIN_KEYS) {
    if (given[key] !== undefined && given[key] !== false && !(keys as readonly string[]).includes(key)) {
      later(key, PHASES.find((candidate) => (PHASE_PLUGINS[candidate] as readonly string[]).includes(key)) ?? 3)
    }
  }
  if (phase < 2) {
    for (const key of [...STRATEGY_KEYS, 'redis']) if (given[key] !== undefined && given[key] !== false) later(key, 2)
  } else if (options.auth !== false) {
    if (options.jwt === undefined) {
      validate.fail('jwt', 'is required in phase 2 (at least `secret`), or `false` to authenticate by API key only')
    }
    for (const key of STRATEGY_KEYS) {
      const value = options[key]
      if (value === false || value === undefined) continue
      strategies.push({ key, options: validate.object(key, value) })
    }
    if (strategies.length === 0) validate.fail('auth', 'needs `jwt` or `apiKey`: both are false')
  }
  return Object.freeze({
    phase,
    problemReplies,
    redis: phase >= 2 ? options.redis : undefined,
    memoryWarning: validate.boolean('memoryWarning', options.memoryWarning ?? true),
    plugins: Object.freeze(plugins),
    strategies: Object.freeze(strategies),
  })
}

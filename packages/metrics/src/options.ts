import {
  type EndpointProtection,
  type EndpointProtectionOptions,
  OptionValidator,
  resolveEndpointProtection,
} from '@rampart/core'
import type { Registry } from 'prom-client'
import { PACKAGE } from './errors.js'

/** Who may read `/metrics`: core's endpoint protection (a bearer token and/or an address allowlist). */
export type MetricsProtection = EndpointProtectionOptions

/** Options of @rampart/metrics. */
export interface MetricsOptions {
  /** Path of the Prometheus exposition (`GET`, and `HEAD`), or `false` to expose none. Default `'/metrics'`. */
  endpoint?: string | false
  /** Protect the endpoint with a bearer token and/or an address allowlist. Default: none (protect it at the network). */
  protection?: MetricsProtection
  /** Count the endpoint's own requests in the HTTP series. Default `false`. */
  measureEndpoint?: boolean
  /**
   * The prom-client `Registry` to register on. Default: a new registry per Fastify app (never
   * prom-client's global one), so two apps in one process never share series.
   */
  registry?: Registry
  /** Prefix of every metric name (`myapp_` gives `myapp_http_requests_total`). Default `''`. */
  prefix?: string
  /** Also collect prom-client's Node.js default metrics (CPU, memory, event loop, GC) on the registry. Default `false`. */
  defaultMetrics?: boolean
  /**
   * Upper bounds, in seconds, of the `http_request_duration_seconds` buckets (ascending; `+Inf` is
   * implicit). Default `[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]`. Keep `10`: the
   * slow-request alert of `docs/prometheus-rules.yml` reads `le="10"`.
   */
  buckets?: readonly number[]
  /** Route patterns (`/health`, `/api/users/:id`) left out of the HTTP series. Default none. */
  excludeRoutes?: readonly string[]
  /**
   * Label sets each event metric (refusals, rate-limit hits, auth attempts, violations, breaker
   * states) may hold; past it, new label sets are counted under `other`. Default 1000.
   */
  maxLabelSets?: number
}

/** The endpoint protection after validation. */
export type ResolvedProtection = EndpointProtection

/** The options after defaults and validation, frozen at register. */
export interface ResolvedMetricsOptions {
  readonly endpoint: string | false
  readonly protection: ResolvedProtection | undefined
  readonly measureEndpoint: boolean
  /** `undefined`: the plugin creates a registry for the app. */
  readonly registry: Registry | undefined
  readonly prefix: string
  readonly defaultMetrics: boolean
  readonly buckets: readonly number[]
  readonly excludeRoutes: readonly string[]
  readonly maxLabelSets: number
}

export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
])

export const DEFAULTS: ResolvedMetricsOptions = Object.freeze({
  endpoint: '/metrics',
  protection: undefined,
  measureEndpoint: false,
  registry: undefined,
  prefix: '',
  defaultMetrics: false,
  buckets: DEFAULT_BUCKETS,
  excludeRoutes: Object.freeze([]),
  maxLabelSets: 1000,
})

const validate = new OptionValidator(PACKAGE)

const PREFIX_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
/** RFC 6750 `b64token`-like: printable ASCII without spaces, so it survives the header unchanged. */
const MAX_BUCKETS = 64

/** Validates the user's options and folds in the defaults; throws RAMPART_METRICS_INVALID_OPTION. */
export function resolveOptions(options: MetricsOptions = {}): ResolvedMetricsOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, Object.keys(DEFAULTS))
  return Object.freeze({
    endpoint: resolveEndpoint(options.endpoint),
    protection: options.protection === undefined ? undefined : resolveProtection(options.protection),
    measureEndpoint: validate.boolean('measureEndpoint', options.measureEndpoint ?? DEFAULTS.measureEndpoint),
    registry: options.registry === undefined ? undefined : resolveRegistry(options.registry),
    prefix: resolvePrefix(options.prefix),
    defaultMetrics: validate.boolean('defaultMetrics', options.defaultMetrics ?? DEFAULTS.defaultMetrics),
    buckets: resolveBuckets(options.buckets),
    excludeRoutes: Object.freeze(validate.stringList('excludeRoutes', options.excludeRoutes ?? DEFAULTS.excludeRoutes)),
    maxLabelSets: validate.integer('maxLabelSets', options.maxLabelSets ?? DEFAULTS.maxLabelSets, {
      min: 1,
      max: 1_000_000,
    }),
  })
}

function resolveEndpoint(value: unknown): string | false {
  if (value === false) return false
  const path = validate.string('endpoint', value ?? DEFAULTS.endpoint)
  if (!path.startsWith('/') || /[?#\s]/.test(path)) {
    validate.fail('endpoint', 'must be a path starting with "/" (no query, fragment or spaces), or false', value)
  }
  return path
}

function resolveProtection(value: unknown): ResolvedProtection {
  return resolveEndpointProtection(validate, 'protection', value)
}

function resolveRegistry(value: unknown): Registry {
  const registry = value as Partial<Registry> | null
  if (
    registry === null ||
    typeof registry !== 'object' ||
    typeof registry.registerMetric !== 'function' ||
    typeof registry.removeSingleMetric !== 'function' ||
    typeof registry.getSingleMetric !== 'function' ||
    typeof registry.metrics !== 'function'
  ) {
    validate.fail('registry', 'must be a prom-client Registry', value)
  }
  return registry as Registry
}

function resolvePrefix(value: unknown): string {
  if (value === undefined || value === '') return DEFAULTS.prefix
  return validate.string('prefix', value, { pattern: PREFIX_PATTERN })
}

function resolveBuckets(value: unknown): readonly number[] {
  if (value === undefined) return DEFAULTS.buckets
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BUCKETS) {
    validate.fail('buckets', `must be a non-empty array of at most ${MAX_BUCKETS} numbers`, value)
  }
  const buckets = value as unknown[]
  buckets.forEach((bound, index) => {
    if (validate.number(`buckets[${index}]`, bound) <= 0) validate.fail(`buckets[${index}]`, 'must be > 0', bound)
    if (index > 0 && (bound as number) <= (buckets[index - 1] as number)) {
      validate.fail(`buckets[${index}]`, 'must be greater than the bound before it (ascending, no repeats)', bound)
    }
  })
  return Object.freeze([...(buckets as number[])])
}

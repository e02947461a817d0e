import { randomBytes } from 'node:crypto'

/** The phases this build of the demo can run; the default is the highest. */
export const AVAILABLE_PHASES = [1, 2, 3] as const
export type Phase = (typeof AVAILABLE_PHASES)[number]

/** Seed 002's CORS defaults. */
export const DEFAULT_CORS_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']
export const DEFAULT_CORS_HEADERS = ['Accept', 'Accept-Language', 'Content-Language', 'Content-Type', 'Authorization']
/** The seed's CSP_POLICY default. */
export const DEFAULT_CSP_POLICY = "default-src 'self'; script-src 'self' 'unsafe-inline'"
export const DEFAULT_MAX_CLIENTS = 100_000

export interface DemoConfig {
  environment: 'development' | 'production'
  production: boolean
  secretKey: string
  host: string
  port: number
  phase: Phase
  rateLimit: { perMinute: number; perHour: number; burst: number; maxClients: number; ipv6PrefixLength: number }
  maxUploadSize: number
  maxRequestSize: number
  enableHsts: boolean
  enableCsp: boolean
  cspPolicy: string
  trustProxyHeaders: boolean
  trustedProxies: string[]
  cors: { origins: string[]; credentials: boolean; methods: string[]; headers: string[] }
  allowedHosts: string[]
  redisUrl: string | undefined
  databaseUrl: string | undefined
  /** The secret is always set: JWT_SECRET, or a random one in development. */
  jwt: { secret: string; algorithm: 'HS256' | 'HS384' | 'HS512'; expiryMinutes: number }
  /** The key the API-key route accepts: DEMO_API_KEY, or the documented development key. */
  demoApiKey: string
  geo: { databasePath: string | undefined; allowedCountries: string[]; blockedCountries: string[] }
  shieldMode: 'monitor' | 'block'
  /** Bearer token of /metrics and /health/detailed; unset: loopback only (development). */
  metricsToken: string | undefined
  ddos: { requestRate: number; maxInFlight: number; banSeconds: number; loadShedding: boolean }
  /** Signing keys by id for /api/signed/*: SIGNING_KEYS, or the documented development key. */
  signingKeys: Record<string, string>
  alertWebhookUrl: string | undefined
  circuitBreaker: { failureThreshold: number; recoveryTimeoutSeconds: number }
}

/** The development signing key, documented in the README; production needs SIGNING_KEYS. */
export const DEVELOPMENT_SIGNING_KEY = Object.freeze({
  id: 'demo-client',
  secret: 'rampart-demo-signing-secret-0123456789abcdef',
})

/** The development API key, documented in the README; production needs DEMO_API_KEY. */
export const DEVELOPMENT_API_KEY = 'rampart_demo_key_0123456789abcdef0123456789abcdef'

/** Every variable the demo reads; anything else with a known prefix is probably misspelt. */
export const KNOWN_VARIABLES = new Set([
  'ENVIRONMENT',
  'SECRET_KEY',
  'HOST',
  'PORT',
  'RAMPART_PHASE',
  'SECURITY_RATE_LIMIT_PER_MINUTE',
  'SECURITY_RATE_LIMIT_PER_HOUR',
  'SECURITY_RATE_LIMIT_BURST',
  'SECURITY_RATE_LIMIT_MAX_CLIENTS',
  'SECURITY_RATE_LIMIT_IPV6_PREFIX',
  'SECURITY_MAX_UPLOAD_SIZE',
  'SECURITY_MAX_REQUEST_SIZE',
  'SECURITY_ENABLE_HSTS',
  'SECURITY_ENABLE_CSP',
  'SECURITY_CSP_POLICY',
  'SECURITY_TRUST_PROXY_HEADERS',
  'SECURITY_TRUSTED_PROXIES',
  'CORS_ORIGINS',
  'CORS_CREDENTIALS',
  'CORS_METHODS',
  'CORS_HEADERS',
  'ALLOWED_HOSTS',
  'REDIS_URL',
  'DATABASE_URL',
  'JWT_SECRET',
  'JWT_ALGORITHM',
  'JWT_EXPIRY_MINUTES',
  'GEOIP_DATABASE_PATH',
  'GEO_ALLOWED_COUNTRIES',
  'GEO_BLOCKED_COUNTRIES',
  'DEMO_API_KEY',
  'SECURITY_SHIELD_MODE',
  'SECURITY_DDOS_REQUEST_RATE',
  'SECURITY_DDOS_MAX_IN_FLIGHT',
  'SECURITY_DDOS_BAN_SECONDS',
  'SECURITY_LOAD_SHEDDING',
  'SECURITY_CIRCUIT_FAILURE_THRESHOLD',
  'SECURITY_CIRCUIT_RECOVERY_SECONDS',
  'METRICS_TOKEN',
  'SIGNING_KEYS',
  'ALERT_WEBHOOK_URL',
])
const CHECKED_PREFIXES = ['SECURITY_', 'CORS_', 'JWT_', 'GEO_']

/** A bad value: the demo prints every one of them and exits with status 1. */
export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

export interface LoadedConfig {
  config: DemoConfig
  warnings: string[]
}

const TRUE = new Set(['true', '1', 'yes', 'on'])
const FALSE = new Set(['false', '0', 'no', 'off'])

class Reader {
  readonly problems: string[] = []
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }

  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name)
    if (value === undefined) return fallback
    if (!/^\d+$/.test(value)) return this.bad(name, `must be a whole number, got ${JSON.stringify(value)}`, fallback)
    const number = Number(value)
    if (number < min || number > max) return this.bad(name, `must be between ${min} and ${max}, got ${value}`, fallback)
    return number
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase()
    if (value === undefined) return fallback
    if (TRUE.has(value)) return true
    if (FALSE.has(value)) return false
    return this.bad(name, `must be true or false, got ${JSON.stringify(value)}`, fallback)
  }

  /** A JSON array of strings (the seed's form) or a comma-separated list. */
  list(name: string, fallback: string[]): string[] {
    const value = this.raw(name)
    if (value === undefined) return fallback
    if (value.startsWith('[')) {
      let parsed: unknown
      try {
        parsed = JSON.parse(value)
      } catch {
        return this.bad(name, `is not a valid JSON array: ${JSON.stringify(value)}`, fallback)
      }
      if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== 'string' || item.trim() === '')) {
        return this.bad(name, 'must be a JSON array of non-empty strings', fallback)
      }
      return parsed.map((item: string) => item.trim())
    }
    const items = value.split(',').map((item) => item.trim())
    if (items.some((item) => item === ''))
      return this.bad(name, `has an empty item: ${JSON.stringify(value)}`, fallback)
    return items
  }

  bad<T>(name: string, problem: string, fallback: T): T {
    this.problems.push(`${name} ${problem}`)
    return fallback
  }
}

/** Reads and validates the demo's configuration from environment variables (seed names). */
export function loadConfig(env: NodeJS.ProcessEnv): LoadedConfig {
  const read = new Reader(env)
  const warnings: string[] = []

  const environmentValue = read.raw('ENVIRONMENT') ?? 'development'
  let environment: DemoConfig['environment'] = 'development'
  if (environmentValue === 'development' || environmentValue === 'production') environment = environmentValue
  else read.bad('ENVIRONMENT', `must be "development" or "production", got ${JSON.stringify(environmentValue)}`, 0)
  const production = environment === 'production'

  let secretKey = read.raw('SECRET_KEY')
  if (secretKey === undefined) {
    if (production) read.bad('SECRET_KEY', 'is required in production (at least 32 characters)', 0)
    else warnings.push('SECRET_KEY is not set: using a random one for this run (development only)')
    secretKey = randomBytes(32).toString('base64url')
  } else if (production && secretKey.length < 32) {
    read.bad('SECRET_KEY', `must be at least 32 characters in production, got ${secretKey.length}`, 0)
  }

  const phaseValue = read.raw('RAMPART_PHASE')
  let phase: Phase = AVAILABLE_PHASES[AVAILABLE_PHASES.length - 1] as Phase
  if (phaseValue !== undefined) {
    const asNumber = Number(phaseValue)
    if ((AVAILABLE_PHASES as readonly number[]).includes(asNumber)) phase = asNumber as Phase
    else
      read.bad(
        'RAMPART_PHASE',
        `must be one of ${AVAILABLE_PHASES.join(', ')} in this build, got ${JSON.stringify(phaseValue)}`,
        0,
      )
  }

  // The demo signs its own tokens with a shared secret, so only the HMAC algorithms apply.
  const jwtAlgorithmValue = read.raw('JWT_ALGORITHM') ?? 'HS256'
  const hmacBytes = ({ HS256: 32, HS384: 48, HS512: 64 } as Record<string, number>)[jwtAlgorithmValue]
  let jwtAlgorithm: DemoConfig['jwt']['algorithm'] = 'HS256'
  if (hmacBytes === undefined) {
    read.bad('JWT_ALGORITHM', `must be HS256, HS384 or HS512, got ${JSON.stringify(jwtAlgorithmValue)}`, 0)
  } else {
    jwtAlgorithm = jwtAlgorithmValue as DemoConfig['jwt']['algorithm']
  }
  let jwtSecret = read.raw('JWT_SECRET')
  if (jwtSecret === undefined) {
    if (production) read.bad('JWT_SECRET', `is required in production (at least ${hmacBytes ?? 32} bytes)`, 0)
    else
      warnings.push('JWT_SECRET is not set: using a random one, so tokens do not survive a restart (development only)')
    jwtSecret = randomBytes(hmacBytes ?? 32).toString('base64url')
  } else if (hmacBytes !== undefined && Buffer.byteLength(jwtSecret) < hmacBytes) {
    read.bad(
      'JWT_SECRET',
      `must be at least ${hmacBytes} bytes for ${jwtAlgorithm}, got ${Buffer.byteLength(jwtSecret)}`,
      0,
    )
  }

  let demoApiKey = read.raw('DEMO_API_KEY')
  if (demoApiKey === undefined) {
    if (production) read.bad('DEMO_API_KEY', 'is required in production (at least 32 characters)', 0)
    demoApiKey = DEVELOPMENT_API_KEY
  } else if (!/^[A-Za-z0-9._~+/=-]{32,256}$/.test(demoApiKey)) {
    read.bad('DEMO_API_KEY', 'must be 32 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -', 0)
  }

  const shieldValue = read.raw('SECURITY_SHIELD_MODE') ?? 'monitor'
  let shieldMode: DemoConfig['shieldMode'] = 'monitor'
  if (shieldValue === 'monitor' || shieldValue === 'block') shieldMode = shieldValue
  else read.bad('SECURITY_SHIELD_MODE', `must be "monitor" or "block", got ${JSON.stringify(shieldValue)}`, 0)

  const countries = (name: string): string[] => {
    const list = read.list(name, [])
    const bad = list.find((code) => !/^[A-Za-z]{2}$/.test(code))
    if (bad !== undefined) read.bad(name, `must list two-letter country codes, got ${JSON.stringify(bad)}`, 0)
    return list.map((code) => code.toUpperCase())
  }

  const metricsToken = read.raw('METRICS_TOKEN')
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,4096}$/.test(metricsToken)) {
    read.bad('METRICS_TOKEN', 'must be 16 to 4096 printable characters without spaces', 0)
  }
  if (metricsToken === undefined && production) {
    read.bad('METRICS_TOKEN', 'is required in production (it protects /metrics and /health/detailed)', 0)
  }

  let signingKeys: Record<string, string> = { [DEVELOPMENT_SIGNING_KEY.id]: DEVELOPMENT_SIGNING_KEY.secret }
  const signingValue = read.raw('SIGNING_KEYS')
  if (signingValue === undefined) {
    if (production) read.bad('SIGNING_KEYS', 'is required in production (id:secret pairs, secrets of 32+ bytes)', 0)
  } else {
    signingKeys = {}
    for (const pair of read.list('SIGNING_KEYS', [])) {
      const colon = pair.indexOf(':')
      const id = pair.slice(0, colon)
      const secret = pair.slice(colon + 1)
      if (colon < 1 || !/^[A-Za-z0-9._-]{1,64}$/.test(id) || Buffer.byteLength(secret) < 32) {
        read.bad('SIGNING_KEYS', 'must be id:secret pairs (id of [A-Za-z0-9._-], secret of at least 32 bytes)', 0)
        break
      }
      signingKeys[id] = secret
    }
  }

  const alertWebhookUrl = read.raw('ALERT_WEBHOOK_URL')
  if (alertWebhookUrl !== undefined && !/^https?:\/\/\S+$/.test(alertWebhookUrl)) {
    read.bad('ALERT_WEBHOOK_URL', 'must be an http:// or https:// URL', 0)
  }

  const corsMethods = read.list('CORS_METHODS', DEFAULT_CORS_METHODS)
  const corsHeaders = read.list('CORS_HEADERS', DEFAULT_CORS_HEADERS)
  const wildcard = (name: string, list: string[], defaults: string[]): string[] => {
    if (!list.includes('*')) return list
    warnings.push(`${name} contains "*": using the explicit defaults (${defaults.join(', ')}) instead of a wildcard`)
    return defaults
  }

  const config: DemoConfig = {
    environment,
    production,
    secretKey,
    host: read.raw('HOST') ?? '127.0.0.1',
    port: read.integer('PORT', 3000, 0, 65535),
    phase,
    rateLimit: {
      perMinute: read.integer('SECURITY_RATE_LIMIT_PER_MINUTE', 60, 1),
      perHour: read.integer('SECURITY_RATE_LIMIT_PER_HOUR', 1000, 1),
      burst: read.integer('SECURITY_RATE_LIMIT_BURST', 10, 0),
      maxClients: read.integer('SECURITY_RATE_LIMIT_MAX_CLIENTS', DEFAULT_MAX_CLIENTS, 1),
      ipv6PrefixLength: read.integer('SECURITY_RATE_LIMIT_IPV6_PREFIX', 64, 48, 128),
    },
    maxUploadSize: read.integer('SECURITY_MAX_UPLOAD_SIZE', 52_428_800, 1),
    maxRequestSize: read.integer('SECURITY_MAX_REQUEST_SIZE', 1_048_576, 1),
    enableHsts: read.boolean('SECURITY_ENABLE_HSTS', false),
    enableCsp: read.boolean('SECURITY_ENABLE_CSP', false),
    cspPolicy: read.raw('SECURITY_CSP_POLICY') ?? DEFAULT_CSP_POLICY,
    trustProxyHeaders: read.boolean('SECURITY_TRUST_PROXY_HEADERS', false),
    trustedProxies: read.list('SECURITY_TRUSTED_PROXIES', ['127.0.0.1', '::1']),
    cors: {
      origins: read.list('CORS_ORIGINS', []),
      credentials: read.boolean('CORS_CREDENTIALS', true),
      methods: wildcard('CORS_METHODS', corsMethods, DEFAULT_CORS_METHODS),
      headers: wildcard('CORS_HEADERS', corsHeaders, DEFAULT_CORS_HEADERS),
    },
    allowedHosts: read.list('ALLOWED_HOSTS', ['*']),
    redisUrl: read.raw('REDIS_URL'),
    databaseUrl: read.raw('DATABASE_URL'),
    jwt: {
      secret: jwtSecret,
      algorithm: jwtAlgorithm,
      expiryMinutes: read.integer('JWT_EXPIRY_MINUTES', 60, 1, 60 * 24 * 30),
    },
    demoApiKey,
    geo: {
      databasePath: read.raw('GEOIP_DATABASE_PATH'),
      allowedCountries: countries('GEO_ALLOWED_COUNTRIES'),
      blockedCountries: countries('GEO_BLOCKED_COUNTRIES'),
    },
    shieldMode,
    metricsToken,
    ddos: {
      requestRate: read.integer('SECURITY_DDOS_REQUEST_RATE', 1000, 1),
      maxInFlight: read.integer('SECURITY_DDOS_MAX_IN_FLIGHT', 100, 1),
      banSeconds: read.integer('SECURITY_DDOS_BAN_SECONDS', 300, 1, 366 * 24 * 3600),
      loadShedding: read.boolean('SECURITY_LOAD_SHEDDING', true),
    },
    signingKeys,
    alertWebhookUrl,
    circuitBreaker: {
      failureThreshold: read.integer('SECURITY_CIRCUIT_FAILURE_THRESHOLD', 5, 1, 10_000),
      recoveryTimeoutSeconds: read.integer('SECURITY_CIRCUIT_RECOVERY_SECONDS', 60, 1, 24 * 3600),
    },
  }

  // One warning for every in-memory fallback (the preset's own is switched off).
  const fallbacks: string[] = []
  if (config.redisUrl === undefined) {
    fallbacks.push(
      'REDIS_URL is not set: rate limits, bans and signature nonces are kept in memory, per instance (fine for one instance)',
    )
  }
  if (config.databaseUrl === undefined)
    fallbacks.push('DATABASE_URL is not set: the audit log is the JSON-lines file apps/demo/var/audit.jsonl')
  if (fallbacks.length > 0) {
    warnings.push(fallbacks.join('; '))
  }
  if (config.redisUrl !== undefined && !/^rediss?:\/\//.test(config.redisUrl)) {
    read.bad('REDIS_URL', `must be a redis:// or rediss:// URL, got ${JSON.stringify(config.redisUrl)}`, 0)
  }
  if (config.databaseUrl !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(config.databaseUrl)) {
    read.bad('DATABASE_URL', 'must be a postgres:// or postgresql:// URL', 0)
  }
  if (production && config.allowedHosts.includes('*')) {
    warnings.push('ALLOWED_HOSTS allows any host in production: set it to the names the app is served under')
  }
  for (const name of Object.keys(env)) {
    if (!KNOWN_VARIABLES.has(name) && CHECKED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      warnings.push(`${name} is not a variable the demo knows: is it misspelt?`)
    }
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems)
  return { config, warnings }
}

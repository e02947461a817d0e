import { fileURLToPath } from 'node:url'
import { Keyring } from '@rampart/crypto'
import mfa from '@rampart/mfa'
import rampart, { type PresetOptions, rampartServerOptions } from '@rampart/preset'
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify'
import { phase2Routes } from './auth-routes.js'
import { browserRoutes } from './browser-routes.js'
import type { DemoConfig } from './config.js'
import { identityRoutes } from './identity-routes.js'
import { phase3Routes } from './phase-3-routes.js'
import { phase1Routes } from './routes.js'
import { UserDirectory } from './users.js'

/** Seed 000's ContentValidationMiddleware limits, with the two the demo makes configurable. */
function sizeLimits(config: DemoConfig): Record<string, number> {
  return {
    '/api/upload': config.maxUploadSize,
    '/api/import': 10 * 1024 * 1024,
    '/api/': config.maxRequestSize,
    '/webhook': 256 * 1024,
    '/graphql': 100 * 1024,
    '/': 64 * 1024,
  }
}

/** The preset's options from the demo's configuration: one place maps variables to plugins. */
export function presetOptions(config: DemoConfig): PresetOptions {
  return {
    phase: config.phase,
    // Phase 2+: every plugin with shared state (bans, nonces, sessions, the health PING) uses it.
    ...(config.redisUrl === undefined || config.phase < 2 ? {} : { redis: config.redisUrl }),
    proxyHeaders: { enabled: config.trustProxyHeaders, trustedProxies: config.trustedProxies },
    requestId: {},
    headers: {
      production: config.production,
      hsts: config.enableHsts ? {} : false,
      csp: config.enableCsp ? config.cspPolicy : false,
    },
    trustedHost: { allowedHosts: config.allowedHosts },
    cors: {
      origins: config.cors.origins,
      credentials: config.cors.credentials,
      methods: config.cors.methods,
      allowedHeaders: config.cors.headers,
    },
    rateLimit: {
      perMinute: config.rateLimit.perMinute,
      perHour: config.rateLimit.perHour,
      burst: config.rateLimit.burst,
      ipv6PrefixLength: config.rateLimit.ipv6PrefixLength,
      // With REDIS_URL every instance shares one count; otherwise each keeps its own, bounded.
      ...(config.redisUrl === undefined
        ? { maxClients: config.rateLimit.maxClients }
        : { redis: { url: config.redisUrl, maxClients: config.rateLimit.maxClients }, prefix: 'rampart-demo:rl:' }),
    },
    contentGuard: { limits: sizeLimits(config) },
    requestLog: {},
    ...observabilityOptions(config),
    ...(config.phase >= 2 ? phase2Options(config) : {}),
    ...(config.phase >= 3 ? phase3Options(config) : {}),
    // The demo logs one combined warning for its in-memory fallbacks (config.ts).
    memoryWarning: false,
  }
}

/** Where the JSON-lines audit log goes without DATABASE_URL: apps/demo/var/audit.jsonl. */
export const AUDIT_FILE = fileURLToPath(new URL('../var/audit.jsonl', import.meta.url))

/** /metrics and /health/detailed: METRICS_TOKEN when set, else loopback only (development). */
function operationalProtection(config: DemoConfig) {
  return config.metricsToken === undefined ? { allowedIps: ['127.0.0.1', '::1'] } : { bearerToken: config.metricsToken }
}

function observabilityOptions(config: DemoConfig): PresetOptions {
  return {
    metrics: { protection: operationalProtection(config) },
    health: {
      protection: operationalProtection(config),
      ...(config.redisUrl === undefined ? {} : { redis: config.redisUrl }),
      ...(config.databaseUrl === undefined ? {} : { postgres: { connectionString: config.databaseUrl } }),
    },
    shield: { mode: config.shieldMode },
    // Server-side sessions for the browser pages (/app); Redis when REDIS_URL is set (the preset shares it).
    session: {
      production: config.production,
      ...(config.redisUrl === undefined || config.phase < 2 ? {} : { prefix: 'rampart-demo:session:' }),
    },
    // CSRF protects the cookie-session pages; the JSON API authenticates by bearer token or API
    // key, never by cookie, so it is exempt (a client that keeps cookies is not refused there).
    csrf: {
      secret: config.secretKey,
      exemptPaths: ['/api', '/auth', '/health', '/metrics'],
      cookieSecure: config.production,
      ...(config.production ? {} : { cookieName: 'csrf', preSessionCookieName: 'csrf-pre' }),
    },
    alerts: config.alertWebhookUrl === undefined ? {} : { webhook: config.alertWebhookUrl },
    audit: {
      sink:
        config.databaseUrl === undefined
          ? { type: 'file', path: AUDIT_FILE }
          : { type: 'postgres', connectionString: config.databaseUrl },
      // One record per login, refusal or incident; not one per authenticated request.
      capture: { authenticated: false },
    },
  }
}

function phase3Options(config: DemoConfig): PresetOptions {
  return {
    ddos: {
      rate: { max: config.ddos.requestRate, windowMs: 60_000 },
      maxInFlight: config.ddos.maxInFlight,
      banMs: config.ddos.banSeconds * 1000,
      // Event-loop utilisation alone marks a merely busy demo (a load test) as overloaded; the
      // delay and heap signals are the ones that mean requests are suffering.
      shedding: config.ddos.loadShedding ? { eventLoopUtilization: false } : false,
      ...(config.redisUrl === undefined ? {} : { redis: config.redisUrl, prefix: 'rampart-demo:ddos:' }),
    },
    geo: {
      ...(config.geo.databasePath === undefined ? {} : { database: config.geo.databasePath }),
      allowedCountries: config.geo.allowedCountries,
      blockedCountries: config.geo.blockedCountries,
    },
    circuitBreaker: {
      failureThreshold: config.circuitBreaker.failureThreshold,
      recoveryTimeout: config.circuitBreaker.recoveryTimeoutSeconds * 1000,
    },
    signature: {
      keys: config.signingKeys,
      required: ['/api/signed'],
      ...(config.redisUrl === undefined ? {} : { redis: config.redisUrl, redisPrefix: 'rampart-demo:sig:' }),
    },
  }
}

/**
 * Routes whose credentials are never looked at: liveness, metrics, the login routes themselves,
 * and the Phase 1 routes, which stay public as in Phase 1 (a stray `Authorization` header there is
 * ignored, not refused).
 */
export const PUBLIC_PATHS = ['/health', '/metrics', '/api/auth', '/auth/login', '/api/test', '/api/echo', '/api/upload']

function phase2Options(config: DemoConfig): PresetOptions {
  return {
    jwt: { secret: config.jwt.secret, algorithm: config.jwt.algorithm, expiresIn: config.jwt.expiryMinutes * 60 },
    apiKey: {
      keys: [{ id: 'demo', owner: 'demo-client', scopes: ['reports:read'], tier: 'basic', key: config.demoApiKey }],
    },
    auth: { publicPaths: PUBLIC_PATHS },
    // /api/admin/* needs admin:access whatever the route; routes add their own permissions.
    rbac: { pathRules: { '/api/admin': { permissions: ['admin:access'] } }, challenge: 'Bearer realm="api"' },
  }
}

/** Builds the demo: the phase preset, then the seed's routes. Does not listen. */
export async function buildApp(config: DemoConfig, serverOptions: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Node's parser refusals and undecodable URLs answered as problem+json with the security headers.
    ...rampartServerOptions,
    // @rampart/request-log writes one line per request; Fastify's own two would repeat it.
    logController: new LogController({ disableRequestLogging: true }),
    // Every spelling of a route reaches it (and its rate limit): /api/auth/login/, //api/auth/login.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    ...serverOptions,
  })
  await app.register(rampart, presetOptions(config))
  await app.register(phase1Routes, { maxUploadSize: config.maxUploadSize })
  if (config.phase >= 2) {
    const users = await UserDirectory.create()
    // MFA secrets are encrypted under a key derived from SECRET_KEY; backup codes peppered with it.
    await app.register(mfa, {
      keyring: new Keyring({ keys: [{ id: 'k1', secret: config.secretKey }], current: 'k1' }),
      pepper: config.secretKey,
      issuer: 'Rampart Demo',
    })
    await app.register(phase2Routes, { users })
    await app.register(identityRoutes, { users })
    await app.register(browserRoutes, { users })
  }
  if (config.phase >= 3) await app.register(phase3Routes)
  return app
}

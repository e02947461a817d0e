import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AuditOptions } from '@rampart/audit'
import { defineRefusal, sendProblem } from '@rampart/core'
import { Keyring } from '@rampart/crypto'
import rampartCsrf from '@rampart/csrf'
import { type JwksOptions, RedisDenylist } from '@rampart/jwt'
import rampartMfa, { sendMfaFailure } from '@rampart/mfa'
import rampart, { type PresetOptions, rampartServerOptions } from '@rampart/preset'
import rampartSession, { getSessionId } from '@rampart/session'
import type { ShieldOptions } from '@rampart/shield'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { totpNow } from './totp.js'

/** Secrets of one suite app: what a client (a test, the soak) needs to talk to it. */
export interface SuiteSecrets {
  readonly jwtSecret: string
  readonly signingKeyId: string
  readonly signingSecret: string
  readonly metricsToken: string
  readonly apiKey: string
  /** The RS256 key pair of kid `rs-1` (PEM). */
  readonly rsaPublicPem: string
  readonly rsaPrivatePem: string
  readonly issuer: string
  readonly csrfSecret: string
  readonly user: { readonly username: string; readonly password: string }
}

/** Made once per process: an RSA key takes a moment on a busy machine. */
const RSA = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
})

export function newSecrets(): SuiteSecrets {
  return Object.freeze({
    jwtSecret: randomBytes(48).toString('base64url'),
    signingKeyId: 'client-1',
    signingSecret: randomBytes(32).toString('hex'),
    metricsToken: `metrics-${randomBytes(16).toString('hex')}`,
    apiKey: `rk_${randomBytes(24).toString('base64url')}`,
    rsaPublicPem: RSA.publicKey,
    rsaPrivatePem: RSA.privateKey,
    issuer: 'https://api.example.com',
    csrfSecret: randomBytes(32).toString('base64url'),
    user: Object.freeze({ username: 'alice', password: 'correct horse battery staple' }),
  })
}

/** The hosts the suite app answers for. */
export const ALLOWED_HOSTS = ['api.example.com', 'localhost', '127.0.0.1']
/** Browser origins allowed by CORS. */
export const ALLOWED_ORIGINS = ['https://example.com', 'https://app.example.com']
/** Proxies whose forwarding headers are believed: a private range and the loopback the tests connect from. */
export const TRUSTED_PROXIES = ['10.0.0.0/8', '127.0.0.1']
/** Body limits by path prefix (small, so the corpus can exceed them cheaply). */
export const BODY_LIMITS = { '/api/upload': 64 * 1024, '/api/': 4096, '/': 1024 }
/** The login policy: 5 a minute per client, one budget for both login paths; refused while Redis is down. */
export const LOGIN_POLICY = { login: { limit: 5, window: 60, group: 'login', failureMode: 'fail-closed' as const } }

export interface SuiteAppOptions {
  /** Redis for every shared store (rate limit, DDoS bans, signature nonces, sessions, JWT denylist, health). */
  redisUrl?: string
  /** Redis key prefix of this app (a test's own random one). */
  prefix?: string
  /** Redis command deadline of the stores built on @rampart/redis (ms). */
  commandTimeout?: number
  /** Rate limiter store deadline (ms), breaker cooldown... passed as the rate limiter's redis options. */
  rateLimitRedis?: { timeout?: number; breakerFailures?: number; breakerCooldown?: number; instances?: number }
  /** A JWKS next to the keyring. */
  jwks?: JwksOptions
  /** Audit options; default a JSON-lines file in a new temporary directory. `false`: no audit. */
  audit?: AuditOptions | false
  /** Shield options; default monitor mode (the preset's). */
  shield?: ShieldOptions
  /** Rate limits of the global policies. */
  perMinute?: number
  perHour?: number
  /** DDoS per-client rate (requests per minute before a ban). */
  ddosRate?: number
  /** DDoS load shedding (default off: a loaded test machine is not an attack). */
  shedding?: boolean
  /** The circuit breaker (default on, as in the preset). */
  circuitBreaker?: boolean
  /** Statuses the circuit breaker counts as a route's failures (default: every 5xx, the plugin's). */
  breakerFailureStatuses?: number[]
  /** Session and CSRF and MFA (default true). */
  sessions?: boolean
  /** Metrics label sets per event metric. */
  maxLabelSets?: number
  secrets?: SuiteSecrets
  /** Fastify logger (default off). */
  logger?: boolean
}

export interface SuiteApp {
  readonly app: FastifyInstance
  readonly secrets: SuiteSecrets
  /** The MFA user's enrolment: base32 secret and plain backup codes. */
  readonly mfa: { readonly userId: string; readonly secret: string; readonly backupCodes: readonly string[] }
  readonly auditDirectory: string | undefined
}

const INVALID_CREDENTIALS = defineRefusal('suite', 'INVALID_CREDENTIALS', 401, 'Invalid credentials')
const NOT_LOGGED_IN = defineRefusal('suite', 'NOT_LOGGED_IN', 401, 'Not logged in')
const UPSTREAM_FAILED = defineRefusal('suite', 'UPSTREAM_FAILED', 502, 'Bad Gateway')

/**
 * The whole of Phase 3 through @rampart/preset (every plugin, the opt-in observability ones
 * included), plus sessions, CSRF and MFA, and routes like the demo's. Does not listen.
 */
export async function buildSuiteApp(options: SuiteAppOptions = {}): Promise<SuiteApp> {
  const secrets = options.secrets ?? newSecrets()
  const prefix = options.prefix ?? `rampart-reliability:${process.pid}:${randomBytes(4).toString('hex')}:`
  const redisUrl = options.redisUrl
  const commandTimeout = options.commandTimeout ?? 250
  const redisFor = (url: string) => ({ url, commandTimeout })
  let auditDirectory: string | undefined
  let audit: AuditOptions | false
  if (options.audit === undefined) {
    auditDirectory = mkdtempSync(join(tmpdir(), 'rampart-reliability-audit-'))
    audit = { sink: { type: 'file', path: join(auditDirectory, 'audit.jsonl') }, flushInterval: 50 }
  } else {
    audit = options.audit
  }

  const app = Fastify({
    ...rampartServerOptions,
    logger: options.logger === true,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  })

  const preset: PresetOptions = {
    phase: 3,
    memoryWarning: false,
    ...(redisUrl === undefined
      ? {}
      : {
          redis: {
            url: redisUrl,
            timeout: options.rateLimitRedis?.timeout ?? 50,
            breakerFailures: options.rateLimitRedis?.breakerFailures ?? 5,
            breakerCooldown: options.rateLimitRedis?.breakerCooldown ?? 500,
            instances: options.rateLimitRedis?.instances ?? 1,
          },
        }),
    proxyHeaders: { enabled: true, trustedProxies: TRUSTED_PROXIES },
    requestId: {},
    headers: { production: true, csp: "default-src 'self'; img-src 'self' data:; object-src 'none'" },
    trustedHost: { allowedHosts: ALLOWED_HOSTS },
    cors: {
      origins: ALLOWED_ORIGINS,
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Content-Type', 'Authorization', 'X-CSRF-Token', 'X-API-Key'],
    },
    jwt: {
      keys: [
        { kid: 'hs-1', algorithm: 'HS256', secret: secrets.jwtSecret },
        { kid: 'rs-1', algorithm: 'RS256', privateKey: secrets.rsaPrivatePem },
      ],
      signingKid: 'hs-1',
      issuer: secrets.issuer,
      expiresIn: 3600,
      ...(options.jwks === undefined ? {} : { jwks: options.jwks }),
      ...(redisUrl === undefined
        ? {}
        : { denylist: new RedisDenylist({ url: redisUrl, prefix: `${prefix}jwt:`, commandTimeout }) }),
    },
    apiKey: {
      keys: [{ id: 'reports', owner: 'reporting', scopes: ['reports:read'], tier: 'pro', key: secrets.apiKey }],
    },
    auth: {
      defaultPolicy: 'optional',
      publicPaths: ['/health', '/metrics', '/api/auth', '/auth/login', '/app'],
      requiredPaths: ['/api/admin', '/files/private'],
    },
    rateLimit: {
      perMinute: options.perMinute ?? 600,
      perHour: options.perHour ?? 100_000,
      burst: 0,
      prefix: `${prefix}rl:`,
    },
    ddos: {
      rate: { max: options.ddosRate ?? 100_000, windowMs: 60_000 },
      maxInFlight: 200,
      shedding: options.shedding === true ? { eventLoopUtilization: false } : false,
      ...(redisUrl === undefined ? {} : { redis: redisFor(redisUrl), prefix: `${prefix}ddos:` }),
    },
    geo: { blockedCountries: ['RU'] },
    circuitBreaker:
      options.circuitBreaker === false
        ? false
        : {
            failureThreshold: 3,
            recoveryTimeout: 60_000,
            ...(options.breakerFailureStatuses === undefined
              ? {}
              : { failureStatuses: options.breakerFailureStatuses }),
          },
    signature: {
      keys: { [secrets.signingKeyId]: secrets.signingSecret },
      required: ['/api/signed', '/files/signed'],
      ...(redisUrl === undefined ? {} : { redis: redisFor(redisUrl), redisPrefix: `${prefix}sig:` }),
    },
    contentGuard: { limits: BODY_LIMITS },
    requestLog: {},
    metrics: {
      protection: { bearerToken: secrets.metricsToken },
      ...(options.maxLabelSets === undefined ? {} : { maxLabelSets: options.maxLabelSets }),
    },
    health: {
      protection: { bearerToken: secrets.metricsToken },
      ...(redisUrl === undefined ? {} : { redis: redisFor(redisUrl) }),
    },
    shield: options.shield ?? {},
    alerts: { log: false },
    audit,
  }
  await app.register(rampart, preset)

  let mfaEnrolment: SuiteApp['mfa'] = { userId: 'alice', secret: '', backupCodes: [] }
  if (options.sessions !== false) {
    await app.register(rampartSession, {
      idleTimeout: 600,
      absoluteTimeout: 3600,
      ...(redisUrl === undefined ? {} : { redis: redisFor(redisUrl), prefix: `${prefix}session` }),
    })
    await app.register(rampartCsrf, {
      secret: secrets.csrfSecret,
      sessionId: (request) => getSessionId(request) ?? undefined,
    })
    await app.register(rampartMfa, {
      keyring: new Keyring({ keys: [{ id: 'k1', secret: randomBytes(32).toString('hex') }], current: 'k1' }),
      pepper: randomBytes(32),
      issuer: 'Rampart Reliability',
      maxFailures: 100,
    })
  }

  await app.register(async (routes) => suiteRoutes(routes, secrets, options.sessions !== false))
  await app.ready()

  if (options.sessions !== false) {
    const setup = await app.mfa.setup('alice', 'alice@example.com')
    const confirmed = await app.mfa.confirm('alice', totpNow(setup.secret))
    if (!confirmed.ok) throw new Error(`MFA enrolment failed: ${confirmed.reason}`)
    mfaEnrolment = { userId: 'alice', secret: setup.secret, backupCodes: setup.backupCodes }
  }
  return { app, secrets, mfa: mfaEnrolment, auditDirectory }
}

function address(request: FastifyRequest) {
  const { ip, host, protocol, viaProxy } = request.clientAddress
  return { ip, host: host ?? null, protocol, viaProxy }
}

async function suiteRoutes(app: FastifyInstance, secrets: SuiteSecrets, sessions: boolean): Promise<void> {
  app.get('/api/test', async (request) => ({ ok: true, ...address(request), country: request.country ?? null }))
  app.get('/api/whoami', async (request) => address(request))
  app.post('/api/echo', async (request) => ({ received: request.body ?? null }))

  // Uploads are counted, not kept.
  app.register(async (upload) => {
    upload.addContentTypeParser('application/octet-stream', (_request, payload, done) => {
      let bytes = 0
      payload.on('data', (chunk: Buffer) => {
        bytes += chunk.length
      })
      payload.on('end', () => done(null, { bytes }))
      payload.on('error', done)
    })
    upload.post(
      '/api/upload',
      { config: { rampart: { contentGuard: { allowedTypes: ['application/octet-stream', 'application/json'] } } } },
      async (request) => ({ received: request.body ?? null }),
    )
  })

  const login = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = (request.body ?? {}) as { username?: unknown; password?: unknown }
    if (body.username !== secrets.user.username || body.password !== secrets.user.password) {
      return sendProblem(reply, INVALID_CREDENTIALS, { detail: 'The username or password is wrong.' })
    }
    return app.rampartJwt.issue({ sub: secrets.user.username, tier: 'free', scope: 'reports:read' })
  }
  const loginRoute = { config: { rampart: { rateLimit: LOGIN_POLICY } } }
  app.post('/api/auth/login', loginRoute, login)
  app.post('/auth/login', loginRoute, login)

  app.get(
    '/api/protected',
    { config: { rampart: { auth: { required: true, strategies: ['jwt'] } } } },
    async (request) => ({
      user: request.identity?.id ?? null,
    }),
  )
  app.get(
    '/api/reports',
    { config: { rampart: { auth: { required: true, strategies: ['api-key'], scopes: ['reports:read'] } } } },
    async (request) => ({ owner: request.identity?.id ?? null }),
  )
  // Required by the `/api/admin` path rule of @rampart/auth, whatever the spelling of the path.
  app.get('/api/admin/:file', async (request) => ({ file: (request.params as { file: string }).file }))
  app.get('/api/files/*', async (request) => ({ file: (request.params as { '*': string })['*'] }))
  // A static-file style wildcard: `/files/private/...` needs a login, `/files/signed/...` a signature.
  app.get('/files/*', async (request) => ({ file: (request.params as { '*': string })['*'] }))

  app.post('/api/signed/echo', async (request) => ({ received: request.body ?? null, keyId: request.signatureKeyId }))
  app.get('/api/signed/:id', async (request) => ({ id: (request.params as { id: string }).id }))

  // Two routes whose upstream fails on demand (`?fail=1`), each with its own circuit breaker.
  for (const path of ['/api/flaky', '/api/upstream']) {
    app.get(path, async (request, reply) => {
      const { fail } = request.query as { fail?: string }
      if (fail === '1') return sendProblem(reply, UPSTREAM_FAILED, { detail: 'The (simulated) upstream failed.' })
      return { ok: true }
    })
  }

  if (!sessions) return
  const sessionRoute = { config: { rampart: { session: true } } }
  app.post('/app/login', { config: { rampart: { session: true, csrf: false as const } } }, async (request, reply) => {
    const body = (request.body ?? {}) as { username?: unknown; password?: unknown }
    if (body.username !== secrets.user.username || body.password !== secrets.user.password) {
      return sendProblem(reply, INVALID_CREDENTIALS, { detail: 'The username or password is wrong.' })
    }
    await request.session?.login(secrets.user.username)
    return { user: secrets.user.username }
  })
  app.get('/app/me', sessionRoute, async (request, reply) => {
    const user = request.session?.userId ?? null
    if (user === null) return sendProblem(reply, NOT_LOGGED_IN, { detail: 'No session.' })
    return { user }
  })
  app.get('/app/csrf', sessionRoute, async (_request, reply) => ({ token: reply.csrfToken() }))
  app.post('/app/settings', sessionRoute, async (request, reply) => {
    if (request.session?.userId == null) return sendProblem(reply, NOT_LOGGED_IN, { detail: 'No session.' })
    return { saved: true }
  })
  app.post('/app/mfa/verify', async (request, reply) => {
    const { code } = (request.body ?? {}) as { code?: unknown }
    const result = await app.mfa.verify('alice', code, { request })
    if (!result.ok) return sendMfaFailure(reply, result)
    return { ok: true, method: result.method }
  })
  app.get('/api/mfa-only', { config: { rampart: { mfa: { required: true } } } }, async () => ({ ok: true }))
}

import fastifyCors from '@fastify/cors'
import fastifyHelmet from '@fastify/helmet'
import fastifyJwt from '@fastify/jwt'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyRedis from '@fastify/redis'
import rampartContentGuard from '@rampart/content-guard'
import rampartCors from '@rampart/cors'
import rampartHeaders from '@rampart/headers'
import rampartJwt from '@rampart/jwt'
import rampartMetrics from '@rampart/metrics'
import rampartPreset, { type PresetOptions } from '@rampart/preset'
import rampartProxyHeaders from '@rampart/proxy-headers'
import rampartRateLimit, { type RateLimitOptions } from '@rampart/rate-limit'
import rampartRequestId from '@rampart/request-id'
import rampartRequestLog from '@rampart/request-log'
import rampartTrustedHost from '@rampart/trusted-host'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyMetricsModule from 'fastify-metrics'
import { benchToken, HIGH_LIMIT, JWT_SECRET, ORIGIN } from './token.js'

/** What a variant's builder gets from the orchestrator (through the server's environment). */
export interface VariantContext {
  /** `redis://` URL of the Redis the Redis variants count in. */
  readonly redisUrl: string
  /** Prefix of every Redis key this run writes (unique per run, deleted at the end). */
  readonly keyPrefix: string
}

export type VariantGroup = 'baseline' | 'rampart-plugin' | 'rampart-preset' | 'rampart-stack' | 'fastify'

export interface Variant {
  /** Stable id: CLI `--only`, JSON keys, chart labels. */
  readonly name: string
  /** What it is, for the report. */
  readonly description: string
  readonly group: VariantGroup
  /** Counts in Redis (measured for Redis CPU and commands; unavailable without Redis). */
  readonly redis?: boolean
  /** Part of `--smoke` (kept to a few: the smoke must finish in seconds). */
  readonly smoke?: boolean
  /** Registers the plugins on a fresh app; the measured route is added after. */
  readonly setup: (app: FastifyInstance, context: VariantContext) => Promise<void>
  /**
   * Controls only: headers the handler itself sets (no plugin, no hook), to measure what writing
   * those bytes costs bare Fastify and Node.
   */
  readonly handlerHeaders?: (context: VariantContext) => Promise<Readonly<Record<string, string>>>
}

/** Headers every response has without any plugin (bare's own). */
const FASTIFY_OWN_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive'])

/**
 * The headers `variant` adds to the measured route's response, read from one injected request (so
 * the control copies exactly the names and value sizes of the stack it stands beside).
 */
async function headersAddedBy(name: string, context: VariantContext): Promise<Record<string, string>> {
  const app = await buildApp(findVariant(name), context)
  try {
    const response = await app.inject({
      url: ROUTE,
      headers: { origin: ORIGIN, authorization: `Bearer ${benchToken()}` },
    })
    const added: Record<string, string> = {}
    for (const [header, value] of Object.entries(response.headers)) {
      if (!FASTIFY_OWN_HEADERS.has(header) && typeof value === 'string') added[header] = value
    }
    return added
  } finally {
    await app.close()
  }
}

/** The measured route: every variant serves it with the same handler. */
export const ROUTE = '/api/hello'

/** fastify-metrics is CommonJS with `exports.default`: Node's ESM import gives the exports object. */
const fastifyMetrics = (fastifyMetricsModule as unknown as { default: typeof fastifyMetricsModule.default }).default

/** Rampart's limiter with the default policy pair (minute + hour) at limits no client reaches. */
function rampartLimits(extra: RateLimitOptions = {}): RateLimitOptions {
  return { perMinute: HIGH_LIMIT, perHour: HIGH_LIMIT, ...extra }
}

/**
 * The Redis store from a URL (its own auto-pipelined client). Its call deadline is raised from 50 ms
 * to 1 s: on a loaded two-core machine a round trip can pass 50 ms, and the store would then decide
 * locally (fail-open) instead of measuring the Redis path. @fastify/rate-limit has no deadline.
 */
function rampartRedisLimits(context: VariantContext, prefix = 'rl:'): RateLimitOptions {
  return rampartLimits({ redis: { url: context.redisUrl, timeout: 1000 }, prefix: `${context.keyPrefix}${prefix}` })
}

/** The same for @fastify/rate-limit (one policy: `max` per `timeWindow`). */
function fastifyLimits(extra: object = {}): object {
  return { max: HIGH_LIMIT, timeWindow: 60_000, ...extra }
}

async function fastifyRedisLimits(app: FastifyInstance, context: VariantContext): Promise<void> {
  await app.register(fastifyRedis, { url: context.redisUrl, closeClient: true })
  await app.register(fastifyRateLimit, fastifyLimits({ redis: app.redis, nameSpace: `${context.keyPrefix}frl:` }))
}

/** @fastify/jwt verifying every request, as its README shows. */
async function fastifyJwtVerify(app: FastifyInstance): Promise<void> {
  await app.register(fastifyJwt, { secret: JWT_SECRET })
  app.addHook('onRequest', async (request) => {
    await request.jwtVerify()
  })
}

/** Phase 3's DDoS guard at thresholds the benchmark never reaches (it still counts every client). */
const PHASE_3_DDOS = {
  rate: { max: HIGH_LIMIT },
  maxInFlight: 10_000,
  // Under a load generator on the same two cores, utilisation sits near 1: shedding would be the
  // measured behaviour. The delay signal stays on.
  shedding: { eventLoopUtilization: false },
}

function preset(phase: number, context: VariantContext | undefined): PresetOptions {
  const options: Record<string, unknown> = {
    phase,
    cors: { origins: [ORIGIN] },
    rateLimit: context === undefined ? rampartLimits() : rampartRedisLimits(context, `p${phase}:`),
  }
  if (phase >= 2) options.jwt = { secret: JWT_SECRET }
  if (phase >= 3) options.ddos = { ...PHASE_3_DDOS, prefix: `${context?.keyPrefix ?? 'bench:'}ddos:` }
  if (context !== undefined) options.redis = context.redisUrl
  return options as PresetOptions
}

export const VARIANTS: readonly Variant[] = [
  {
    name: 'bare',
    description: 'Fastify with no plugin',
    group: 'baseline',
    smoke: true,
    setup: async () => {},
  },
  // Controls: bare Fastify whose handler sets the headers a plugin or preset would add (copied from
  // one of its responses), no plugin at all. What they cost over bare is the price of the bytes.
  {
    name: 'bare-headers-bytes',
    description: 'control: bare Fastify, the handler sets the headers @rampart/headers adds',
    group: 'baseline',
    setup: async () => {},
    handlerHeaders: (context) => headersAddedBy('rampart-headers', context),
  },
  {
    name: 'bare-preset-1-bytes',
    description: 'control: bare Fastify, the handler sets the headers preset phase 1 adds',
    group: 'baseline',
    setup: async () => {},
    handlerHeaders: (context) => headersAddedBy('preset-1', context),
  },
  {
    name: 'bare-preset-1-shape',
    description: "control: preset phase 1's headers from the handler, and as many empty hooks as it has",
    group: 'baseline',
    // Preset phase 1 runs 4 onRequest hooks, 1 preParsing and 2 onSend on this route (read off the
    // route's context); empty ones measure what Fastify charges for running a hook at all.
    setup: async (app) => {
      for (let i = 0; i < 4; i++) app.addHook('onRequest', (_request, _reply, done) => done())
      app.addHook('preParsing', (_request, _reply, payload, done) => done(null, payload))
      for (let i = 0; i < 2; i++) app.addHook('onSend', (_request, _reply, payload, done) => done(null, payload))
    },
    handlerHeaders: (context) => headersAddedBy('preset-1', context),
  },
  // Each Rampart plugin alone.
  {
    name: 'rampart-proxy-headers',
    description: '@rampart/proxy-headers (enabled, loopback trusted)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartProxyHeaders, { enabled: true })
    },
  },
  {
    name: 'rampart-request-id',
    description: '@rampart/request-id (defaults)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartRequestId)
    },
  },
  {
    name: 'rampart-headers',
    description: '@rampart/headers (defaults)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartHeaders)
    },
  },
  {
    name: 'rampart-trusted-host',
    description: '@rampart/trusted-host (127.0.0.1 and localhost allowed)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartTrustedHost, { allowedHosts: ['127.0.0.1', 'localhost'] })
    },
  },
  {
    name: 'rampart-cors',
    description: '@rampart/cors (one allowed origin, sent by the client)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartCors, { origins: [ORIGIN] })
    },
  },
  {
    name: 'rampart-rate-limit',
    description: '@rampart/rate-limit (memory store, minute + hour policies)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartRateLimit, rampartLimits())
    },
  },
  {
    name: 'rampart-content-guard',
    description: '@rampart/content-guard (defaults)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartContentGuard)
    },
  },
  {
    name: 'rampart-request-log',
    description: '@rampart/request-log (defaults; Fastify logger off, as in every variant)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartRequestLog)
    },
  },
  {
    name: 'rampart-metrics',
    description: '@rampart/metrics (defaults)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartMetrics)
    },
  },
  {
    name: 'rampart-rate-limit-redis',
    description: '@rampart/rate-limit (Redis store from a URL: auto-pipelined EVALSHA)',
    group: 'rampart-plugin',
    redis: true,
    smoke: true,
    setup: async (app, context) => {
      await app.register(rampartRateLimit, rampartRedisLimits(context))
    },
  },
  {
    name: 'rampart-jwt',
    description: '@rampart/jwt (HS256, verification cache on, one repeated token)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartJwt, { secret: JWT_SECRET })
    },
  },
  {
    name: 'rampart-jwt-no-cache',
    description: '@rampart/jwt (HS256, cache off: a signature check per request)',
    group: 'rampart-plugin',
    setup: async (app) => {
      await app.register(rampartJwt, { secret: JWT_SECRET, cache: false })
    },
  },
  // The presets.
  {
    name: 'preset-1',
    description: '@rampart/preset phase 1 (memory store)',
    group: 'rampart-preset',
    smoke: true,
    setup: async (app) => {
      await app.register(rampartPreset, preset(1, undefined))
    },
  },
  {
    name: 'preset-2',
    description: '@rampart/preset phase 2 (memory store, JWT sent)',
    group: 'rampart-preset',
    setup: async (app) => {
      await app.register(rampartPreset, preset(2, undefined))
    },
  },
  {
    name: 'preset-3',
    description: '@rampart/preset phase 3 (memory stores, JWT sent)',
    group: 'rampart-preset',
    setup: async (app) => {
      await app.register(rampartPreset, preset(3, undefined))
    },
  },
  {
    name: 'preset-2-redis',
    description: '@rampart/preset phase 2 (Redis, JWT sent)',
    group: 'rampart-preset',
    redis: true,
    setup: async (app, context) => {
      await app.register(rampartPreset, preset(2, context))
    },
  },
  {
    name: 'preset-3-redis',
    description: '@rampart/preset phase 3 (Redis, JWT sent)',
    group: 'rampart-preset',
    redis: true,
    setup: async (app, context) => {
      await app.register(rampartPreset, preset(3, context))
    },
  },
  // Like-for-like stacks.
  {
    name: 'rampart-stack',
    description: 'Rampart headers + cors + rate-limit (memory) + metrics',
    group: 'rampart-stack',
    setup: async (app) => {
      await app.register(rampartMetrics)
      await app.register(rampartHeaders)
      await app.register(rampartCors, { origins: [ORIGIN] })
      await app.register(rampartRateLimit, rampartLimits())
    },
  },
  {
    name: 'rampart-stack-redis',
    description: 'Rampart headers + cors + jwt + rate-limit (Redis) + metrics',
    group: 'rampart-stack',
    redis: true,
    setup: async (app, context) => {
      await app.register(rampartMetrics)
      await app.register(rampartHeaders)
      await app.register(rampartCors, { origins: [ORIGIN] })
      await app.register(rampartJwt, { secret: JWT_SECRET })
      await app.register(rampartRateLimit, rampartRedisLimits(context))
    },
  },
  // The @fastify plugins.
  {
    name: 'fastify-helmet',
    description: '@fastify/helmet (defaults)',
    group: 'fastify',
    smoke: true,
    setup: async (app) => {
      await app.register(fastifyHelmet)
    },
  },
  {
    name: 'fastify-cors',
    description: '@fastify/cors (one allowed origin, sent by the client)',
    group: 'fastify',
    setup: async (app) => {
      await app.register(fastifyCors, { origin: [ORIGIN] })
    },
  },
  {
    name: 'fastify-rate-limit',
    description: '@fastify/rate-limit (memory store)',
    group: 'fastify',
    setup: async (app) => {
      await app.register(fastifyRateLimit, fastifyLimits())
    },
  },
  {
    name: 'fastify-rate-limit-redis',
    description: '@fastify/rate-limit (Redis store, @fastify/redis client)',
    group: 'fastify',
    redis: true,
    setup: async (app, context) => {
      await fastifyRedisLimits(app, context)
    },
  },
  {
    name: 'fastify-jwt',
    description: '@fastify/jwt (HS256, request.jwtVerify() in onRequest)',
    group: 'fastify',
    setup: async (app) => {
      await fastifyJwtVerify(app)
    },
  },
  {
    name: 'fastify-metrics',
    description: 'fastify-metrics (defaults)',
    group: 'fastify',
    setup: async (app) => {
      await app.register(fastifyMetrics, { endpoint: '/metrics' })
    },
  },
  {
    name: 'fastify-stack',
    description: '@fastify/helmet + cors + rate-limit (memory) + fastify-metrics',
    group: 'fastify',
    setup: async (app) => {
      await app.register(fastifyMetrics, { endpoint: '/metrics' })
      await app.register(fastifyHelmet)
      await app.register(fastifyCors, { origin: [ORIGIN] })
      await app.register(fastifyRateLimit, fastifyLimits())
    },
  },
  {
    name: 'fastify-stack-redis',
    description: '@fastify/helmet + cors + jwt + rate-limit (Redis) + fastify-metrics',
    group: 'fastify',
    redis: true,
    setup: async (app, context) => {
      await app.register(fastifyMetrics, { endpoint: '/metrics' })
      await app.register(fastifyHelmet)
      await app.register(fastifyCors, { origin: [ORIGIN] })
      await fastifyJwtVerify(app)
      await fastifyRedisLimits(app, context)
    },
  },
]

export function findVariant(name: string): Variant {
  const variant = VARIANTS.find((candidate) => candidate.name === name)
  if (variant === undefined)
    throw new Error(`unknown variant "${name}" (known: ${VARIANTS.map((v) => v.name).join(', ')})`)
  return variant
}

/** Builds a variant's app with the measured route, ready to listen. */
export async function buildApp(variant: Variant, context: VariantContext): Promise<FastifyInstance> {
  const extra = await variant.handlerHeaders?.(context)
  const app = Fastify({ logger: false })
  await variant.setup(app, context)
  if (extra === undefined) app.get(ROUTE, async () => ({ hello: 'world' }))
  else {
    app.get(ROUTE, async (_request, reply) => {
      reply.headers(extra)
      return { hello: 'world' }
    })
  }
  await app.ready()
  return app
}

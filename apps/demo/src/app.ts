import rampart, { type PresetOptions } from '@rampart/preset'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { DemoConfig } from './config.js'
import { phase1Routes } from './routes.js'

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
  }
}

/** Builds the demo: the phase preset, then the seed's routes. Does not listen. */
export async function buildApp(config: DemoConfig, serverOptions: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ disableRequestLogging: true, ...serverOptions })
  await app.register(rampart, presetOptions(config))
  await app.register(phase1Routes, { maxUploadSize: config.maxUploadSize })
  return app
}

import alerts from '@rampart/alerts'
import { type ApiKeyStrategy, createApiKeyStrategy } from '@rampart/api-key'
import audit from '@rampart/audit'
import auth from '@rampart/auth'
import circuitBreaker from '@rampart/circuit-breaker'
import contentGuard from '@rampart/content-guard'
import { type AuthStrategy, problemRepliesPlugin } from '@rampart/core'
import cors from '@rampart/cors'
import csrf from '@rampart/csrf'
import ddos from '@rampart/ddos'
import geo from '@rampart/geo'
import headers from '@rampart/headers'
import health from '@rampart/health'
import { createJwtStrategy } from '@rampart/jwt'
import metrics from '@rampart/metrics'
import proxyHeaders from '@rampart/proxy-headers'
import rateLimit, { identityOrAddressKey, type RateLimitOptions } from '@rampart/rate-limit'
import rbac from '@rampart/rbac'
import requestId from '@rampart/request-id'
import requestLog from '@rampart/request-log'
import session, { getSessionId } from '@rampart/session'
import shield from '@rampart/shield'
import signature from '@rampart/signature'
import trustedHost from '@rampart/trusted-host'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { PACKAGE } from './errors.js'
import { type PluginKey, type PresetOptions, type ResolvedPresetOptions, resolveOptions } from './options.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Phase 2+: the API key strategy the preset gave @rampart/auth (`null` when `apiKey: false`). */
    rampartApiKey: ApiKeyStrategy | null
  }
}

// biome-ignore lint/suspicious/noExplicitAny: each plugin takes its own options type
const PLUGINS: Record<PluginKey, FastifyPluginAsync<any>> = {
  proxyHeaders,
  requestId,
  headers,
  trustedHost,
  cors,
  auth,
  rateLimit,
  contentGuard,
  requestLog,
  ddos,
  geo,
  circuitBreaker,
  signature,
  metrics,
  health,
  shield,
  session,
  csrf,
  rbac,
  alerts,
  audit,
}

/** Plugins that take the preset's `redis` when they have none of their own. */
const SHARES_REDIS: ReadonlySet<PluginKey> = new Set<PluginKey>(['ddos', 'signature', 'health', 'session'])

/** Phase 2+: JWT then API key, created on the preset's instance; decorated for login routes. */
function createStrategies(fastify: FastifyInstance, settings: ResolvedPresetOptions): AuthStrategy[] {
  const strategies: AuthStrategy[] = []
  let apiKey: ApiKeyStrategy | null = null
  for (const { key, options } of settings.strategies) {
    if (key === 'jwt') {
      const jwt = createJwtStrategy(fastify, options)
      fastify.decorate('rampartJwt', jwt)
      strategies.push(jwt)
    } else {
      apiKey = createApiKeyStrategy(fastify, options)
      strategies.push(apiKey)
    }
  }
  fastify.decorate('rampartApiKey', apiKey)
  return strategies
}

/**
 * Phase 2's limiter runs after authentication: a user counts as one client from every address,
 * with the seed's multipliers (authenticated × 2, then by tier), and counts in Redis when given.
 */
function rateLimitOptions(settings: ResolvedPresetOptions, given: RateLimitOptions): RateLimitOptions {
  if (settings.phase < 2) return given
  const shared = given.redis === undefined && given.store === undefined && settings.redis !== undefined
  return {
    multipliers: true,
    key: identityOrAddressKey(given.ipv6PrefixLength ?? 64),
    ...given,
    ...(shared ? { redis: settings.redis } : {}),
  } as RateLimitOptions
}

async function rampartPreset(fastify: FastifyInstance, options: PresetOptions): Promise<void> {
  const settings = resolveOptions(options)
  if (settings.problemReplies) await fastify.register(problemRepliesPlugin)
  const strategies = settings.strategies.length > 0 ? createStrategies(fastify, settings) : []
  for (const { key, options: pluginOptions } of settings.plugins) {
    if (key === 'auth') {
      await fastify.register(auth, { ...pluginOptions, strategies })
    } else if (key === 'rateLimit') {
      const limiter = rateLimitOptions(settings, pluginOptions as RateLimitOptions)
      if (settings.memoryWarning && settings.phase >= 2 && limiter.redis === undefined && limiter.store === undefined) {
        fastify.log.warn(
          '@rampart/preset: no Redis configured; rate limits, bans and nonces are kept in memory, per instance (set `redis`)',
        )
      }
      await fastify.register(rateLimit, limiter)
    } else if (key === 'csrf' && !('sessionId' in pluginOptions)) {
      await fastify.register(PLUGINS.csrf, { ...pluginOptions, sessionId: getSessionId })
    } else if (SHARES_REDIS.has(key) && settings.redis !== undefined && !('redis' in pluginOptions)) {
      await fastify.register(PLUGINS[key], { ...pluginOptions, redis: settings.redis })
    } else {
      await fastify.register(PLUGINS[key], pluginOptions)
    }
  }
}

export { rampartPreset }
export default fp(rampartPreset, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

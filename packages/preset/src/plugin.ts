import contentGuard from '@rampart/content-guard'
import { problemRepliesPlugin } from '@rampart/core'
import cors from '@rampart/cors'
import headers from '@rampart/headers'
import proxyHeaders from '@rampart/proxy-headers'
import rateLimit from '@rampart/rate-limit'
import requestId from '@rampart/request-id'
import requestLog from '@rampart/request-log'
import trustedHost from '@rampart/trusted-host'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { PACKAGE } from './errors.js'
import { type PluginKey, type PresetOptions, resolveOptions } from './options.js'

// biome-ignore lint/suspicious/noExplicitAny: each plugin takes its own options type
const PLUGINS: Record<PluginKey, FastifyPluginAsync<any>> = {
  proxyHeaders,
  requestId,
  headers,
  trustedHost,
  cors,
  rateLimit,
  contentGuard,
  requestLog,
}

async function rampartPreset(fastify: FastifyInstance, options: PresetOptions): Promise<void> {
  const settings = resolveOptions(options)
  if (settings.problemReplies) await fastify.register(problemRepliesPlugin)
  for (const { key, options: pluginOptions } of settings.plugins) {
    await fastify.register(PLUGINS[key], pluginOptions)
  }
}

export { rampartPreset }
export default fp(rampartPreset, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

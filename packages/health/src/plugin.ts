import { addHealthCheck, type HealthCheck, healthChecks, protectEndpoint } from '@rampart/core'
import { RedisConnection } from '@rampart/redis'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pg from 'pg'
import { eventLoopCheck, memoryCheck, postgresCheck, redisCheck } from './built-in-checks.js'
import { changedChannel } from './diagnostics.js'
import { PACKAGE } from './errors.js'
import { type HealthOptions, resolveOptions } from './options.js'
import { type HealthReport, runChecks } from './report.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** @rampart/health: run the checks now (cached for `cacheMs`). */
    rampartHealth: { report(): Promise<HealthReport> }
  }
}

const LIVE = Object.freeze({ status: 'ok' })
// Liveness and detail are never rate limited or shed: they are how an orchestrator tells a busy
// instance from a dead one. `rateLimit`/`ddos` keys are read by those plugins when they are used.
const OPERATIONAL_ROUTE = { rampart: { rateLimit: false, ddos: false, shield: false } } as const

async function rampartHealth(fastify: FastifyInstance, options: HealthOptions): Promise<void> {
  const settings = resolveOptions(options)
  const loop = eventLoopCheck(settings.eventLoopDegradedMs)
  const builtIn = new Map<string, HealthCheck>([
    ['event_loop', loop.check],
    ['memory', memoryCheck(settings.heapDegradedRatio)],
  ])
  if (settings.redis !== undefined) {
    const connection = new RedisConnection(settings.redis)
    builtIn.set('redis', redisCheck(connection.client))
    fastify.addHook('onClose', async () => connection.close())
  }
  if (settings.postgres !== undefined) {
    let pool = settings.postgres.pool
    if (pool === undefined) {
      const owned = new pg.Pool({
        connectionString: settings.postgres.connectionString,
        max: 2,
        connectionTimeoutMillis: settings.timeout,
      })
      // An idle client's error (the server restarted) must not crash the process; the next check reports it.
      owned.on('error', () => {})
      fastify.addHook('onClose', async () => owned.end())
      pool = owned
    }
    builtIn.set('postgres', postgresCheck(pool))
  }
  for (const [name, check] of settings.checks) addHealthCheck(fastify, name, check)
  fastify.addHook('onClose', async () => loop.histogram.disable())

  let cached: { at: number; report: Promise<HealthReport> } | undefined
  let lastStatus: HealthReport['status'] | undefined
  function report(): Promise<HealthReport> {
    const now = Date.now()
    if (cached !== undefined && now - cached.at < settings.cacheMs) return cached.report
    // Checks registered by plugins in any scope, read at run time (plugins may register late).
    const checks = new Map([...builtIn, ...healthChecks(fastify)])
    const pending = runChecks(checks, settings.timeout).then((result) => {
      if (result.status !== lastStatus && changedChannel.hasSubscribers) {
        changedChannel.publish({ from: lastStatus, to: result.status, report: result })
      }
      lastStatus = result.status
      return result
    })
    cached = { at: now, report: pending }
    return pending
  }
  fastify.decorate('rampartHealth', { report })

  if (settings.livenessPath !== false) {
    fastify.get(settings.livenessPath, { config: OPERATIONAL_ROUTE }, async function liveness() {
      return LIVE
    })
  }
  if (settings.detailedPath !== false) {
    const guard =
      settings.protection === undefined ? undefined : protectEndpoint(PACKAGE, 'the health detail', settings.protection)
    fastify.route({
      method: 'GET',
      url: settings.detailedPath,
      config: OPERATIONAL_ROUTE,
      ...(guard === undefined ? {} : { onRequest: guard }),
      handler: async function detailedHealth(_request, reply) {
        const result = await report()
        reply.header('cache-control', 'no-store')
        // 503 when something is down, so a load balancer's readiness probe takes the instance out.
        reply.code(result.status === 'down' ? 503 : 200)
        return result
      },
    })
  }
}

export { rampartHealth }
export default fp(rampartHealth, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

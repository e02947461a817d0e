import {
  addHealthCheck,
  declareClientAddress,
  declareIdentity,
  declareRequestPath,
  PrefixMatcher,
  perRouteSettings,
  requestPath,
  sendProblem,
} from '@rampart/core'
import { RedisConnection } from '@rampart/redis'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Bans } from './bans.js'
import { clientOf, parseClient } from './client-key.js'
import { ClientTable } from './client-table.js'
import { bannedChannel, sheddingChannel } from './diagnostics.js'
import { BANNED, InvalidArgumentError, OVERLOADED, PACKAGE, TOO_MANY_IN_FLIGHT } from './errors.js'
import { ACQUIRED, InFlightCounter, REFUSED } from './in-flight.js'
import { LoadSampler } from './load-sampler.js'
import { LoadShedder } from './load-shedder.js'
import { type DdosOptions, resolveOptions } from './options.js'
import { countRequest, resetCount } from './rate-window.js'
import { SharedBans } from './shared-bans.js'
import type { DdosControl, DdosStatus } from './status.js'
import { SurgeDetector } from './surge-detector.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Bans, unbans and the state of @rampart/ddos (for health checks, dashboards, admin routes). */
    rampartDdos: DdosControl
  }
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** `false`: @rampart/ddos never counts, bans, caps or sheds this route (like `exemptPaths`). */
    ddos?: false
  }
}

/** Expired bans are swept (and their `unbanned` events published) this often, besides on the client's next request. */
export const SWEEP_INTERVAL_MS = 5000

const kRouteEnabled = Symbol('rampart.ddos.route')

function retryAfter(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)))
}

async function rampartDdos(fastify: FastifyInstance, options: DdosOptions): Promise<void> {
  const settings = resolveOptions(options)
  const { now, rate, shedding, maxInFlight, ipv6PrefixLength } = settings
  declareClientAddress(fastify)
  declareRequestPath(fastify)
  declareIdentity(fastify)

  const exempt = new PrefixMatcher(settings.exemptPaths.map((path) => [path, true] as const))
  const routeEnabled = perRouteSettings(fastify, kRouteEnabled, (_route, rampart) => rampart?.ddos !== false, true)
  const applies = (request: FastifyRequest): boolean =>
    routeEnabled(request) && (exempt.size === 0 || exempt.match(requestPath(request)) !== true)

  const redis = settings.redis === undefined ? undefined : new RedisConnection(settings.redis)
  const bans = new Bans({
    maxClients: settings.maxClients,
    shared: redis === undefined ? undefined : new SharedBans(redis.client, settings.prefix),
    checkIntervalMs: settings.redisCheckIntervalMs,
    now,
    log: fastify.log,
  })
  // One table of recently seen clients serves the rate counters, the surge detector and the
  // Redis lookup times; none of them, none of it.
  const table =
    rate !== undefined || settings.surge !== undefined || redis !== undefined
      ? new ClientTable(settings.maxClients)
      : undefined
  const surge =
    settings.surge === undefined
      ? undefined
      : new SurgeDetector(settings.surge.threshold, settings.surge.intervalMs, now())
  const inFlight = new InFlightCounter(settings.maxClients)
  const shedder = shedding === undefined ? undefined : new LoadShedder(shedding)
  const shedInOnRequest = shedding?.hook === 'onRequest'
  const overloadedRetryAfter = shedding === undefined ? '' : retryAfter(shedding.retryAfterMs)

  /**
   * Gives the slot back exactly once, whichever way the request ends; a slot that leaked would be
   * a permanent ban. Node emits 'close' on every response, sent or not (finished, client gone,
   * socket timeout, write error), which Fastify's hooks do not cover: a request whose body was
   * read in full and whose client then left gets neither onResponse nor onRequestAbort. A
   * pipelined request waiting for its turn has no socket on its response yet, and if the
   * connection closes first its response never emits 'close': it listens to the socket too.
   */
  const holdSlot = (request: FastifyRequest, reply: FastifyReply, client: string): void => {
    const response = reply.raw
    const socket = response.socket === null ? request.raw.socket : null
    let held = true
    const release = (): void => {
      if (!held) return
      held = false
      inFlight.release(client)
      response.removeListener('close', release)
      socket?.removeListener('close', release)
    }
    response.on('close', release)
    socket?.on('close', release)
  }

  const refuseBanned = (reply: FastifyReply, ms: number): FastifyReply =>
    sendProblem(reply, BANNED, {
      detail: 'This client is temporarily banned for sending too many requests',
      headers: { 'retry-after': retryAfter(ms) },
    })
  const refuseOverloaded = (reply: FastifyReply): FastifyReply =>
    sendProblem(reply, OVERLOADED, {
      detail: 'The server is overloaded; try again later',
      headers: { 'retry-after': overloadedRetryAfter },
    })

  // onRequest: before any body is read and before authentication, so a flood costs as little as
  // possible. Order: bans, the rate threshold (which bans), shedding everyone, the in-flight cap.
  fastify.addHook('onRequest', async function ddosGuard(request: FastifyRequest, reply: FastifyReply) {
    if (!applies(request)) return
    const clock = now()
    const client = clientOf(request, ipv6PrefixLength)
    const entry = table?.touch(client)
    if (surge !== undefined && entry !== undefined) surge.observe(entry, clock)
    const banned =
      entry !== undefined && bans.due(entry, clock) ? await bans.refresh(client, entry) : bans.remaining(client, clock)
    if (banned > 0) return refuseBanned(reply, banned)
    if (rate !== undefined && entry !== undefined && countRequest(entry, clock, rate.windowMs) > rate.max) {
      resetCount(entry)
      const until = clock + settings.banMs
      void bans.ban(client, until)
      if (bannedChannel.hasSubscribers) bannedChannel.publish({ request, client, until, reason: 'rate' })
      return refuseBanned(reply, settings.banMs)
    }
    if (shedder !== undefined) {
      const level = shedder.level
      if (level === 2 || (level === 1 && shedInOnRequest && !request.identity)) return refuseOverloaded(reply)
    }
    if (maxInFlight > 0) {
      const acquired = inFlight.acquire(client, maxInFlight)
      if (acquired === REFUSED) {
        return sendProblem(reply, TOO_MANY_IN_FLIGHT, {
          detail: `This client already has ${maxInFlight} requests in progress`,
          headers: { 'retry-after': '1' },
        })
      }
      if (acquired === ACQUIRED) holdSlot(request, reply, client)
    }
  })

  if (shedding !== undefined && shedder !== undefined && !shedInOnRequest) {
    // Anonymous requests are shed where `request.identity` is known: by default preParsing, after
    // every onRequest hook (authentication included) and before the body is read.
    fastify.addHook(shedding.hook, async function ddosShedAnonymous(request: FastifyRequest, reply: FastifyReply) {
      const level = shedder.level
      if (level === 0 || (level === 1 && request.identity) || !applies(request)) return
      return refuseOverloaded(reply)
    })
  }

  const sampler = shedding === undefined ? undefined : new LoadSampler(shedding.sampleIntervalMs)
  const sample = (): void => {
    if (sampler === undefined || shedder === undefined) return
    const load = sampler.sample()
    if (!shedder.update(load, now())) return
    const level = shedder.level
    const reason = shedder.reason
    if (level > 0) fastify.log.warn({ level, reason, ...load }, '@rampart/ddos: shedding load')
    else fastify.log.info({ level, reason, ...load }, '@rampart/ddos: load shedding stopped')
    if (sheddingChannel.hasSubscribers) sheddingChannel.publish({ active: level > 0, level, reason, ...load })
  }

  let sampleTimer: NodeJS.Timeout | undefined
  let sweepTimer: NodeJS.Timeout | undefined
  fastify.addHook('onReady', async () => {
    if (sampler !== undefined && shedding !== undefined) {
      sampler.start()
      sampleTimer = setInterval(sample, shedding.sampleIntervalMs).unref()
    }
    sweepTimer = setInterval(() => bans.sweep(now()), SWEEP_INTERVAL_MS).unref()
  })
  fastify.addHook('onClose', async () => {
    clearInterval(sampleTimer)
    clearInterval(sweepTimer)
    sampler?.stop()
    await redis?.close()
  })

  const status = (): DdosStatus => {
    const last = shedder?.last
    const clock = now()
    return {
      shedding: {
        enabled: shedder !== undefined,
        active: (shedder?.level ?? 0) > 0,
        level: shedder?.level ?? 0,
        reason: shedder?.reason ?? 'recovered',
        since: shedder?.since ?? 0,
        eventLoopDelayMs: last?.eventLoopDelayMs ?? 0,
        utilization: last?.utilization ?? 0,
        heapUsedBytes: last?.heapUsedBytes ?? 0,
      },
      inFlight: { max: maxInFlight, clients: inFlight.clients, requests: inFlight.requests },
      bans: { count: bans.list.size, shared: bans.sharedState },
      clients: { tracked: table?.size ?? 0, max: settings.maxClients, evictions: table?.evictions ?? 0 },
      surge: surge?.status(clock),
    }
  }

  const control: DdosControl = {
    async ban(client: string, ms: number = settings.banMs) {
      const key = parseClient(client, ipv6PrefixLength)
      if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 1) {
        throw new InvalidArgumentError(`@rampart/ddos: a ban lasts a positive whole number of ms (got ${String(ms)})`)
      }
      const until = now() + ms
      const stored = bans.ban(key, until)
      if (bannedChannel.hasSubscribers) bannedChannel.publish({ request: null, client: key, until, reason: 'manual' })
      await stored
      return { client: key, until }
    },
    async unban(client: string) {
      const key = parseClient(client, ipv6PrefixLength)
      const entry = table?.get(key)
      // Look the client up in Redis again on its next request rather than trust an older answer.
      if (entry !== undefined) entry.checkedAt = Number.NEGATIVE_INFINITY
      return bans.unban(key)
    },
    bannedFor(client: string) {
      return bans.remaining(parseClient(client, ipv6PrefixLength), now())
    },
    inFlight(client: string) {
      return inFlight.of(parseClient(client, ipv6PrefixLength))
    },
    status,
  }
  fastify.decorate('rampartDdos', control)

  addHealthCheck(fastify, 'ddos', () => {
    const state = status()
    const degraded = state.shedding.active || state.bans.shared === 'down'
    return {
      status: degraded ? 'degraded' : 'healthy',
      detail: {
        sheddingLevel: state.shedding.level,
        sheddingReason: state.shedding.reason,
        eventLoopDelayMs: Math.round(state.shedding.eventLoopDelayMs),
        utilization: Math.round(state.shedding.utilization * 1000) / 1000,
        heapUsedBytes: state.shedding.heapUsedBytes,
        inFlightRequests: state.inFlight.requests,
        bans: state.bans.count,
        sharedBans: state.bans.shared,
        surging: state.surge?.surging ?? false,
      },
    }
  })
}

export { rampartDdos }
export default fp(rampartDdos, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

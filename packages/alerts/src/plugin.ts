import diagnosticsChannel from 'node:diagnostics_channel'
import { declareClientAddress } from '@rampart/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Alert } from './alert.js'
import { firedChannel, type SinkName } from './diagnostics.js'
import { PACKAGE } from './errors.js'
import { type AlertsOptions, resolveOptions } from './options.js'
import { type RuleStats, RuleTracker } from './rule-tracker.js'
import type { EventMessage } from './sample.js'
import { FunctionSink } from './sinks/function-sink.js'
import { LogSink } from './sinks/log-sink.js'
import type { Sink, SinkStats } from './sinks/sink.js'
import { WebhookSink } from './sinks/webhook-sink.js'

/** What `fastify.rampartAlerts.stats()` returns. */
export interface AlertsStats {
  /** Per rule type. */
  rules: Record<string, RuleStats>
  /** Per configured sink. */
  sinks: Partial<Record<SinkName, SinkStats>>
}

/** `fastify.rampartAlerts`. */
export interface AlertsHandle {
  /** Counts per rule (at the plugin's clock) and per sink. */
  stats(): AlertsStats
  /** Resolves when the webhook and `onAlert` have nothing pending, or after `timeoutMs` (default `closeTimeoutMs`). */
  flush(timeoutMs?: number): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** @rampart/alerts: `stats()` and `flush()`. */
    rampartAlerts: AlertsHandle
  }
}

type Listener = (message: unknown, name: string | symbol) => void

async function rampartAlerts(fastify: FastifyInstance, options: AlertsOptions): Promise<void> {
  const settings = resolveOptions(options)
  declareClientAddress(fastify)
  const log = fastify.log

  const sinks: Sink[] = []
  if (settings.log) sinks.push(new LogSink(log))
  if (settings.webhook !== undefined) sinks.push(new WebhookSink(settings.webhook, log))
  if (settings.onAlert !== undefined) sinks.push(new FunctionSink(settings.onAlert, log))

  const trackers = settings.rules.map((rule) => new RuleTracker(rule, settings.buckets))
  const byChannel = new Map<string, RuleTracker[]>()
  for (const tracker of trackers) {
    const list = byChannel.get(tracker.rule.channel)
    if (list === undefined) byChannel.set(tracker.rule.channel, [tracker])
    else list.push(tracker)
  }

  /**
   * Channels are process-wide: an event about a request counts only in the app that served it
   * (this instance or one of its encapsulated children). Events about no request (a breaker, the
   * store) count in every app that listens.
   */
  function concernsThisApp(message: EventMessage): boolean {
    const request = message.request
    if (request === undefined || request === null) return true
    const server = typeof request === 'object' ? (request as { server?: unknown }).server : undefined
    return (
      server === fastify ||
      (typeof server === 'object' && server !== null && Object.prototype.isPrototypeOf.call(fastify, server))
    )
  }

  function fire(alert: Alert): void {
    if (firedChannel.hasSubscribers) firedChannel.publish({ alert })
    for (const sink of sinks) sink.deliver(alert)
  }

  const broken = new Set<string>()
  /** A rule whose `match` or `code` throws: logged once, and that event is not counted. */
  function ruleFailed(type: string, error: unknown): void {
    if (broken.has(type)) return
    broken.add(type)
    log.error({ err: error, rule: type }, `@rampart/alerts: rule ${type} failed on an event (logged once)`)
  }

  // Listeners run inside the publisher's code (often a request's hook): they count and hand the
  // alert to the sinks, which do their I/O later. Nothing here may throw into the publisher.
  const subscriptions: [string, Listener][] = []
  for (const [channel, list] of byChannel) {
    const listener: Listener = (message) => {
      if (message === null || typeof message !== 'object') return
      const event = message as EventMessage
      if (!concernsThisApp(event)) return
      const now = settings.now()
      for (const tracker of list) {
        try {
          const match = tracker.rule.match
          if (match !== undefined && match(event) !== true) continue
          const alert = tracker.record(now, event)
          if (alert !== undefined) fire(alert)
        } catch (error) {
          ruleFailed(tracker.rule.type, error)
        }
      }
    }
    diagnosticsChannel.subscribe(channel, listener)
    subscriptions.push([channel, listener])
  }

  async function settle(deadline: number): Promise<void> {
    await Promise.all(sinks.map((sink) => sink.settle(deadline)))
  }

  fastify.decorate('rampartAlerts', {
    stats(): AlertsStats {
      const now = settings.now()
      const rules: Record<string, RuleStats> = {}
      for (const tracker of trackers) rules[tracker.rule.type] = tracker.stats(now)
      const sinkStats: Partial<Record<SinkName, SinkStats>> = {}
      for (const sink of sinks) sinkStats[sink.name] = sink.stats()
      return { rules, sinks: sinkStats }
    },
    flush(timeoutMs: number = settings.closeTimeoutMs): Promise<void> {
      return settle(Date.now() + timeoutMs)
    },
  } satisfies AlertsHandle)

  fastify.addHook('onClose', async () => {
    for (const [channel, listener] of subscriptions) diagnosticsChannel.unsubscribe(channel, listener)
    subscriptions.length = 0
    await settle(Date.now() + settings.closeTimeoutMs)
    await Promise.all(sinks.map((sink) => sink.abandon()))
  })
}

export { rampartAlerts }
export default fp(rampartAlerts, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

import { perRouteSettings } from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client'
import { addMetricsRoute } from './endpoint.js'
import { AlreadyRegisteredError, DuplicateMetricError, PACKAGE } from './errors.js'
import { EventMetrics } from './event-metrics.js'
import { asMetric, HttpSeries, type RouteSeries } from './http-series.js'
import { CLIENT_CLOSED_STATUS, type MetricNames, metricNames, UNMATCHED_ROUTE } from './metric-names.js'
import { type MetricsOptions, resolveOptions } from './options.js'
import { declareFlags, type FlaggedRequest, IN_FLIGHT, kFlags, RECORDED } from './request-state.js'

/** `fastify.rampartMetrics`. */
export interface RampartMetrics {
  /** The registry the plugin's metrics are on: add your own metrics to it. */
  readonly registry: Registry
  /** The full name of each of the plugin's metrics, `prefix` included. */
  readonly names: MetricNames
}

declare module 'fastify' {
  interface FastifyInstance {
    rampartMetrics: RampartMetrics
  }
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** `false` leaves the route out of the HTTP series (its refusals and events are still counted). */
    metrics?: boolean
  }
}

const kRouteSeries = Symbol('rampart.metrics.routeSeries')

async function rampartMetrics(fastify: FastifyInstance, options: MetricsOptions): Promise<void> {
  const settings = resolveOptions(options)
  if (fastify.hasDecorator('rampartMetrics')) throw new AlreadyRegisteredError()
  const registry = settings.registry ?? new Registry()
  const names = metricNames(settings.prefix)
  for (const name of Object.values(names)) {
    if (registry.getSingleMetric(name) !== undefined) throw new DuplicateMetricError(name)
  }

  const api: RampartMetrics = Object.freeze({ registry, names })
  const http = new HttpSeries(settings.buckets)
  let inFlight = 0
  const inFlightGauge = new Gauge({
    name: names.inFlight,
    help: 'Requests received and not yet answered',
    registers: [],
    collect() {
      this.set(inFlight)
    },
  })
  const events = new EventMetrics({ names, maxLabelSets: settings.maxLabelSets, log: fastify.log, owner: api })
  const own: Metric[] = [
    asMetric(http.requestsMetric(names.requests, 'HTTP responses by method, route pattern and status')),
    asMetric(
      http.durationMetric(names.duration, 'Seconds from the first onRequest hook to the last byte of the response'),
    ),
    inFlightGauge,
    ...events.metrics,
  ]

  fastify.decorate('rampartMetrics', api)
  declareFlags(fastify)

  // One series holder per route pattern, resolved once per route: routes that differ only by
  // constraints share their pattern's series; 404s share `unmatched`, whatever the path.
  const byPattern = new Map<string, RouteSeries>()
  const excluded = new Set(settings.excludeRoutes)
  const routeSeries = perRouteSettings<RouteSeries | null>(
    fastify,
    kRouteSeries,
    (route, rampart) => {
      const url = route.url
      if (rampart?.metrics === false || url === undefined || excluded.has(url)) return null
      let series = byPattern.get(url)
      if (series === undefined) {
        series = http.route(url)
        byPattern.set(url, series)
      }
      return series
    },
    http.route(UNMATCHED_ROUTE),
  )

  function record(request: FastifyRequest, status: number, milliseconds: number | undefined): void {
    const flags = (request as FlaggedRequest)[kFlags]
    if ((flags & RECORDED) !== 0) return
    ;(request as FlaggedRequest)[kFlags] = flags | RECORDED
    if ((flags & IN_FLIGHT) !== 0) inFlight--
    const route = routeSeries(request)
    if (route === null) return
    const series = route.forMethod(request.method)
    http.count(series, status)
    if (milliseconds !== undefined) http.observe(series, milliseconds / 1000)
  }

  // onRequest: counts the request in flight. Timing needs no hook of its own: with an onResponse
  // hook present Fastify stamps every request before its first onRequest hook (reply.elapsedTime),
  // so requests refused by plugins registered before this one are timed from the same point.
  fastify.addHook('onRequest', function countInFlight(request: FastifyRequest, _reply, done: HookHandlerDoneFunction) {
    if (routeSeries(request) !== null) {
      ;(request as FlaggedRequest)[kFlags] |= IN_FLIGHT
      inFlight++
    }
    done()
  })
  // onResponse: runs once the response is sent, whatever answered (handler, refusal, error, 404).
  fastify.addHook(
    'onResponse',
    function recordResponse(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
      record(request, reply.statusCode, reply.elapsedTime)
      done()
    },
  )
  // onRequestAbort: the client went away before the reply; no onResponse follows.
  fastify.addHook('onRequestAbort', function recordAbort(request: FastifyRequest, done: HookHandlerDoneFunction) {
    record(request, CLIENT_CLOSED_STATUS, undefined)
    done()
  })

  addMetricsRoute(fastify, settings, registry)

  // last, so that a failure above leaves a registry the app was given untouched
  for (const metric of own) registry.registerMetric(metric)
  const registered: string[] = Object.values(names)
  if (settings.defaultMetrics) registered.push(...addDefaultMetrics(registry, settings.prefix, registered))
  events.subscribe()
  fastify.addHook('onClose', async () => {
    events.unsubscribe()
    // a registry the app was given outlives it: leave it as it was, so the next app can register
    if (settings.registry !== undefined) for (const name of registered) registry.removeSingleMetric(name)
  })
}

/**
 * prom-client default metrics left out: gauges named like counters, which `promtool check metrics`
 * rejects ("non-counter metrics should not have "_total" suffix"). Their per-type gauges
 * (`nodejs_active_handles{type}`, ...) stay: `sum()` them for the total.
 */
export const NOT_EXPOSED_DEFAULT_METRICS: readonly string[] = Object.freeze([
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
])

/** prom-client's Node.js default metrics on `registry`; returns their names. */
function addDefaultMetrics(registry: Registry, prefix: string, ours: readonly string[]): string[] {
  const before = new Set(registry.getMetricsAsArray().map((metric) => metric.name))
  try {
    collectDefaultMetrics({ register: registry, prefix })
  } catch (error) {
    for (const metric of registry.getMetricsAsArray())
      if (!before.has(metric.name)) registry.removeSingleMetric(metric.name)
    for (const name of ours) registry.removeSingleMetric(name)
    const duplicate = /name (\S+) has already been registered/.exec((error as Error).message)?.[1]
    throw new DuplicateMetricError(duplicate ?? 'a Node.js default metric')
  }
  for (const name of NOT_EXPOSED_DEFAULT_METRICS) {
    if (!before.has(prefix + name)) registry.removeSingleMetric(prefix + name)
  }
  return registry
    .getMetricsAsArray()
    .map((metric) => metric.name)
    .filter((name) => !before.has(name))
}

export { rampartMetrics }
export default fp(rampartMetrics, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

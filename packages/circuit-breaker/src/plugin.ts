import { addHealthCheck, type HealthCheckResult, perRouteSettings, routeSettings, sendProblem } from '@rampart/core'
import type {
  DoneFuncWithErrOrRes,
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteOptions,
} from 'fastify'
import fp from 'fastify-plugin'
import {
  type CircuitBreaker,
  type CircuitSnapshot,
  type CircuitState,
  idleSnapshot,
  PROBE,
  REJECTED,
  type TransitionReason,
} from './circuit-breaker.js'
import { rejectedChannel, stateChannel } from './diagnostics.js'
import { OPEN, PACKAGE, TIMEOUT } from './errors.js'
import { type CircuitBreakerOptions, type ResolvedBreakerOptions, resolveOptions } from './options.js'
import { type RouteCircuit, RouteTable } from './route-config.js'
import { FAILED, NO_OUTCOME, SUCCEEDED, Ticket } from './ticket.js'

/** `fastify.rampartCircuitBreaker`: read-only views of the circuits, for health checks and dashboards. */
export interface CircuitBreakerRegistry {
  /** The circuit of one route by its label (`'GET /api/users/:id'`), `undefined` for an unknown label. */
  state(route: string): CircuitSnapshot | undefined
  /** Every route with a breaker (routes registered before the plugin appear after their first request). */
  states(): CircuitSnapshot[]
}

declare module 'fastify' {
  interface FastifyInstance {
    /** @rampart/circuit-breaker's circuits: `state(route)`, `states()`. */
    rampartCircuitBreaker: CircuitBreakerRegistry
  }
}

type WithTicket = Record<symbol, Ticket | null | undefined>

/** Counts a response as a failure by the route's rule; a rule that throws is logged and the 5xx rule used. */
function isFailure(
  settings: ResolvedBreakerOptions,
  statusCode: number,
  error: Error | undefined,
  log: FastifyBaseLogger,
): boolean {
  try {
    return settings.isFailure(statusCode, error) === true
  } catch (err) {
    log.error({ err }, '@rampart/circuit-breaker: the failureStatuses function threw; counting 5xx as failures')
    return statusCode >= 500
  }
}

async function rampartCircuitBreaker(fastify: FastifyInstance, options: CircuitBreakerOptions): Promise<void> {
  const settings = resolveOptions(options)
  const now = settings.now
  // Per instance, so two instances in nested scopes never share a request's ticket.
  const kTicket = Symbol('rampart.circuit-breaker.ticket')
  const kRoute = Symbol('rampart.circuit-breaker.route')
  const kMarksHandler = Symbol('rampart.circuit-breaker.marksHandler')
  fastify.decorateRequest(kTicket, null)
  const ticketOf = (request: FastifyRequest): Ticket | null => (request as unknown as WithTicket)[kTicket] ?? null

  const log = fastify.log
  function onTransition(breaker: CircuitBreaker, from: CircuitState, to: CircuitState, reason: TransitionReason) {
    if (to === 'open') log.warn({ route: breaker.route, from, reason }, 'circuit breaker opened')
    else log.info({ route: breaker.route, from, to, reason }, `circuit breaker ${to}`)
    if (stateChannel.hasSubscribers) stateChannel.publish({ route: breaker.route, from, to, reason })
  }

  const routes = new RouteTable(settings, onTransition)
  // Resolved once per route in onRoute (routes added before the plugin: on their first request).
  // 404s get `null`: they are never tracked, so random paths cannot create breakers.
  const routeCircuit = perRouteSettings<RouteCircuit | null>(
    fastify,
    kRoute,
    (route, rampart) => routes.resolve(route, rampart?.circuitBreaker),
    null,
  )

  // Only what the route's handler does is the route's outcome: a request refused before it (by
  // auth, the limiter, a signature check, content-guard, DDoS shedding, a store that is down) must
  // neither open the circuit nor, as a 4xx, count as a success that resets it. The marker runs as
  // the route's own last preHandler, after every plugin's hooks (reliability found-5).
  function markHandlerReached(request: FastifyRequest, _reply: FastifyReply, done: DoneFuncWithErrOrRes): void {
    const ticket = ticketOf(request)
    if (ticket !== null) ticket.reachedHandler = true
    done()
  }
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const config = route.config as Record<symbol, unknown> | undefined
    if (config?.[kRoute] == null) return
    const own = route.preHandler
    route.preHandler =
      own === undefined ? [markHandlerReached] : [...(Array.isArray(own) ? own : [own]), markHandlerReached]
    route.config = { ...config, [kMarksHandler]: true } as typeof route.config
  })

  function snapshot(circuit: RouteCircuit): CircuitSnapshot {
    const breaker = circuit.existing
    return breaker === null ? idleSnapshot(circuit.route) : breaker.snapshot(now())
  }

  const registry: CircuitBreakerRegistry = Object.freeze({
    state(route: string): CircuitSnapshot | undefined {
      const circuit = routes.get(route)
      return circuit === undefined ? undefined : snapshot(circuit)
    },
    states(): CircuitSnapshot[] {
      return Array.from(routes.values(), snapshot)
    },
  })
  fastify.decorate('rampartCircuitBreaker', registry)

  addHealthCheck(fastify, PACKAGE, (): HealthCheckResult => {
    const open: string[] = []
    const halfOpen: string[] = []
    for (const circuit of registry.states()) {
      if (circuit.state === 'open') open.push(circuit.route)
      else if (circuit.state === 'half-open') halfOpen.push(circuit.route)
    }
    return { status: open.length + halfOpen.length === 0 ? 'healthy' : 'degraded', detail: { open, halfOpen } }
  })

  /** `abortOnTimeout`: the route's timeout elapsed and nothing has been sent yet. */
  function answerTimeout(request: FastifyRequest, reply: FastifyReply): void {
    const ticket = ticketOf(request)
    if (ticket === null || ticket.settled) return
    ticket.timer = null
    // Already answering (a stream under way): it counts as a timeout when it ends.
    if (reply.sent || reply.raw.headersSent) {
      ticket.overdue = true
      return
    }
    ticket.timedOut = true
    const at = now()
    ticket.settle(FAILED, at)
    const timeout = ticket.breaker.settings.timeout as number
    const retryAfter = ticket.breaker.retryAfter(at)
    sendProblem(reply, TIMEOUT, {
      detail: `The request did not complete within ${timeout} ms.`,
      headers: { 'retry-after': retryAfter },
      extensions: { retryAfter },
    })
  }

  /** A probe's connection closed before its response finished (client gone). */
  function probeClosed(request: FastifyRequest, reply: FastifyReply): void {
    const ticket = ticketOf(request)
    if (ticket === null || ticket.settled || reply.raw.writableFinished) return
    const at = now()
    ticket.settle(ticket.overTime(at) ? FAILED : NO_OUTCOME, at)
  }

  // onRequest: refuse before any body is read; admit probes one slot at a time while half-open.
  fastify.addHook('onRequest', function checkCircuit(request, reply, done) {
    const circuit = routeCircuit(request)
    if (circuit === null) return done()
    const breaker = circuit.breaker
    const at = now()
    const admission = breaker.admit(at)
    if (admission === REJECTED) {
      const state = breaker.state as Exclude<CircuitState, 'closed'>
      if (rejectedChannel.hasSubscribers) rejectedChannel.publish({ request, route: breaker.route, state })
      const retryAfter = breaker.retryAfter(at)
      sendProblem(reply, OPEN, {
        detail:
          state === 'open'
            ? `This endpoint is failing and refuses requests for now. Retry in ${retryAfter} s.`
            : 'This endpoint is recovering and lets only a few requests through. Retry shortly.',
        headers: { 'retry-after': retryAfter },
        extensions: { state, retryAfter },
      })
      return
    }
    const ticket = new Ticket(breaker, admission === PROBE, at)
    // Routes added before the plugin have no marker: every response of theirs counts, as before.
    ticket.reachedHandler = routeSettings<boolean>(request, kMarksHandler) !== true
    ;(request as unknown as WithTicket)[kTicket] = ticket
    const timeout = circuit.settings.timeout
    if (circuit.settings.abortOnTimeout) ticket.timer = setTimeout(answerTimeout, timeout as number, request, reply)
    // Probes are few; a probe whose client leaves after sending its whole body raises no
    // onRequestAbort, so its slot is freed when the connection closes.
    if (ticket.probe) reply.raw.once('close', () => probeClosed(request, reply))
    done()
  })

  // onError: remember the thrown error; onResponse decides with the status it was answered with.
  fastify.addHook('onError', function noteError(request, _reply, error, done) {
    const ticket = ticketOf(request)
    if (ticket !== null) ticket.error = error
    done()
  })

  // onResponse: the outcome, once the status (and the duration) is known.
  fastify.addHook('onResponse', function recordOutcome(request, reply, done) {
    const ticket = ticketOf(request)
    if (ticket === null) return done()
    if (!ticket.settled) {
      const at = now()
      if (!ticket.reachedHandler) ticket.settle(NO_OUTCOME, at)
      else {
        const failed =
          ticket.overTime(at) || isFailure(ticket.breaker.settings, reply.statusCode, ticket.error, request.log)
        ticket.settle(failed ? FAILED : SUCCEEDED, at)
      }
    }
    // The timeout answered for a handler still running: drop whatever it returns later, quietly.
    if (ticket.timedOut) reply.hijack()
    done()
  })

  // onTimeout: the socket timed out (connectionTimeout) with no response: a failure.
  fastify.addHook('onTimeout', function recordSocketTimeout(request, _reply, done) {
    const ticket = ticketOf(request)
    if (ticket !== null) ticket.settle(FAILED, now())
    done()
  })

  // onRequestAbort: the client went away. No outcome (but a probe's slot is freed), unless the
  // request had already run over its timeout.
  fastify.addHook('onRequestAbort', function releaseAborted(request, done) {
    const ticket = ticketOf(request)
    if (ticket !== null && !ticket.settled) {
      const at = now()
      ticket.settle(ticket.overTime(at) ? FAILED : NO_OUTCOME, at)
    }
    done()
  })
}

export { rampartCircuitBreaker }
export default fp(rampartCircuitBreaker, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

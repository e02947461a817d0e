import { declareClientAddress, getClientAddress, resolvePerRoute, routePattern, routeSettings } from '@rampart/core'
import type { DoneFuncWithErrOrRes, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { PACKAGE } from './errors.js'
import { type LogLevel, type RequestLogOptions, resolveOptions } from './options.js'
import { redactHeaders, redactUrl } from './redact.js'
import { kSilenced, resolveRouteSetting } from './route-config.js'

/** The fields of the one line written per request. */
export interface RequestLogLine {
  method: string
  /** The route pattern (`/api/users/:id`), or `unmatchedRoute` on a 404. */
  route: string
  /** Path and query, sensitive query values redacted. */
  url: string
  statusCode: number
  /** Milliseconds from the request's arrival to the end of the response (`reply.elapsedTime`). */
  durationMs: number
  /** The client IP as resolved by @rampart/core (through @rampart/proxy-headers' trust). */
  clientIp: string
  /** `request.identity.id`, when an authentication plugin set one. */
  userId?: string
  /** With `logHeaders`: the request headers, sensitive ones redacted. */
  requestHeaders?: Record<string, unknown>
  /** With `logHeaders`: the response headers, sensitive ones redacted. */
  responseHeaders?: Record<string, unknown>
}

/** Whether `log` writes at `level`: pino knows; a logger without `isLevelEnabled` is asked to write. */
function isWritten(log: FastifyReply['log'], level: Exclude<LogLevel, 'silent'>): boolean {
  const check = (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled
  return typeof check !== 'function' || check.call(log, level)
}

async function rampartRequestLog(fastify: FastifyInstance, options: RequestLogOptions): Promise<void> {
  const settings = resolveOptions(options)
  const { message, unmatchedRoute, logHeaders, maxUrlLength } = settings
  const { success, clientError, serverError } = settings.levels
  const sensitiveQuery: ReadonlySet<string> = new Set(settings.redactQuery)
  const sensitiveHeaders: ReadonlySet<string> = new Set(settings.redactHeaders)
  declareClientAddress(fastify)
  resolvePerRoute(fastify, kSilenced, resolveRouteSetting)

  function levelOf(statusCode: number): LogLevel {
    if (statusCode >= 500) return serverError
    if (statusCode >= 400) return clientError
    return success
  }

  // Fastify without a logger hands out abstract-logging, whose methods are one shared no-op: there
  // is nobody to write lines for, so the plugin adds no hook at all.
  const log = fastify.log as FastifyInstance['log'] & { isLevelEnabled?: unknown }
  if (typeof log.isLevelEnabled !== 'function' && log.info === log.error) return

  // onResponse: the status, the final headers and the duration are known, and the client has its
  // answer already, so the line costs it nothing.
  fastify.addHook(
    'onResponse',
    function logRequest(request: FastifyRequest, reply: FastifyReply, done: DoneFuncWithErrOrRes): void {
      const statusCode = reply.statusCode
      const level = levelOf(statusCode)
      if (
        level === 'silent' ||
        routeSettings<boolean>(request, kSilenced) === true ||
        // Not built when the (per-route) logger would drop it.
        !isWritten(reply.log, level)
      ) {
        done()
        return
      }
      const line: RequestLogLine = {
        method: request.method,
        route: routePattern(request) ?? unmatchedRoute,
        url: redactUrl(request.url, sensitiveQuery, maxUrlLength),
        statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
        clientIp: getClientAddress(request).ip,
      }
      const userId = request.identity?.id
      if (userId !== undefined) line.userId = userId
      if (logHeaders) {
        line.requestHeaders = redactHeaders(request.headers, sensitiveHeaders)
        line.responseHeaders = redactHeaders(reply.getHeaders(), sensitiveHeaders)
      }
      reply.log[level](line, message)
      done()
    },
  )
}

export { rampartRequestLog }
export default fp(rampartRequestLog, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

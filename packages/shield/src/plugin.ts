import {
  declareRequestPath,
  PrefixMatcher,
  perRouteSettings,
  requestPath,
  routePattern,
  routerCaseSensitive,
  sendProblem,
} from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { BodyWalker } from './body.js'
import { CleanCache } from './clean-cache.js'
import { decodeOnce } from './decode.js'
import { type DetectedEvent, detectedChannel, slowRequestChannel } from './diagnostics.js'
import { BLOCKED, PACKAGE } from './errors.js'
import { type Detection, Inspector, needsInspection, Scan, urlNeedsInspection } from './inspector.js'
import { resolveOptions, ruleKeys, type ShieldOptions } from './options.js'
import { resolveRoute } from './route-config.js'
import { type RuleSet, RuleTable } from './rule-set.js'
import { SEVERITIES } from './rules.js'
import { SENSITIVE_NAME, truncated } from './sample.js'

const kRoute = Symbol('rampart.shield.route')
/** The rule set applied to the request, `null` when it is not inspected (exempt, route off, earlier refusal). */
const kRuleSet = Symbol('rampart.shield.ruleSet')
/** With an injected clock: when `onRequest` saw the request; -1 before. */
const kStart = Symbol('rampart.shield.start')

type ShieldRequest = FastifyRequest & { [kRuleSet]: RuleSet | null; [kStart]: number }

/** Header values remembered as clean. */
const CLEAN_CACHE_SIZE = 1024
const UNMATCHED_ROUTE = '<unmatched>'
const LOG_MESSAGE = '@rampart/shield: suspicious request'
const BLOCK_MESSAGE = '@rampart/shield: request refused'

async function rampartShield(fastify: FastifyInstance, options: ShieldOptions): Promise<void> {
  const settings = resolveOptions(options)
  const table = new RuleTable(settings.customRules)
  const ruleCount = table.rules.length
  const global = table.global(settings)
  const keys = ruleKeys(settings.customRules)
  const inspector = new Inspector(table, settings.maxValueLength, settings.sampleLength)
  const walker = new BodyWalker(inspector, settings.bodyMaxDepth, settings.bodyMaxValues)
  const exempt =
    settings.exemptPaths.length === 0
      ? undefined
      : new PrefixMatcher(
          settings.exemptPaths.map((path) => [path, true] as const),
          { caseSensitive: routerCaseSensitive(fastify) },
        )
  const headerNames = settings.headers
  const headerRedacted = headerNames.map((name) => SENSITIVE_NAME.test(name))
  const cleanHeaders = new CleanCache(CLEAN_CACHE_SIZE)
  const customUrlRules = table.hasCustom.path || table.hasCustom.query
  const { userAgentMaxLength, sampleLength, logLevel, slowRequestMs } = settings
  const now = settings.now
  const timed = now !== undefined && slowRequestMs > 0

  declareRequestPath(fastify)
  fastify.decorateRequest(kRuleSet, null)
  fastify.decorateRequest(kStart, -1)
  const routeRules = perRouteSettings<RuleSet | null>(
    fastify,
    kRoute,
    (route, rampart) => resolveRoute(route, rampart?.shield, table, settings, global, keys),
    global,
  )

  function inspectHeaders(request: FastifyRequest, set: RuleSet, found: Scan | undefined): Scan | undefined {
    let scan = found
    const headers = request.headers
    const modes = set.modes
    const userAgent = headers['user-agent']
    if (userAgent === undefined || userAgent.length === 0) {
      if (modes[table.userAgentMissing] !== undefined) {
        scan ??= new Scan(ruleCount)
        scan.add({
          rule: table.userAgentMissing,
          location: 'header',
          field: 'user-agent',
          sample: '',
          encoding: undefined,
        })
      }
    } else if (userAgent.length > userAgentMaxLength && modes[table.userAgentOversized] !== undefined) {
      scan ??= new Scan(ruleCount)
      const sample = truncated(`${userAgent.length} characters: ${userAgent}`, sampleLength)
      scan.add({ rule: table.userAgentOversized, location: 'header', field: 'user-agent', sample, encoding: undefined })
    }

    const origin = headers.origin
    const referer = headers.referer
    if (
      typeof origin === 'string' &&
      typeof referer === 'string' &&
      origin !== 'null' &&
      modes[table.originMismatch] !== undefined
    ) {
      const expected = originOf(origin)
      const actual = originOf(referer)
      if (expected === undefined || actual !== expected) {
        scan ??= new Scan(ruleCount)
        const sample = truncated(`origin ${origin}, referer from ${actual ?? 'an unparseable URL'}`, sampleLength)
        scan.add({ rule: table.originMismatch, location: 'header', field: 'referer', sample, encoding: undefined })
      }
    }

    for (let i = 0; i < headerNames.length; i++) {
      const name = headerNames[i] as string
      const value = headers[name]
      if (value === undefined) continue
      if (typeof value === 'string') scan = inspectHeader(value, name, headerRedacted[i] as boolean, set, scan)
      else for (const item of value) scan = inspectHeader(item, name, headerRedacted[i] as boolean, set, scan)
    }
    return scan
  }

  function inspectHeader(
    value: string,
    name: string,
    redact: boolean,
    set: RuleSet,
    found: Scan | undefined,
  ): Scan | undefined {
    if (cleanHeaders.has(value)) return found
    const scan = found ?? new Scan(ruleCount)
    // Every rule runs (also those off on this route), so a clean result holds for every route.
    if (!inspector.inspect(value, 'header', name, redact, set, scan, true)) cleanHeaders.add(value)
    return scan
  }

  function inspectUrl(url: string, set: RuleSet, found: Scan | undefined): Scan {
    const scan = found ?? new Scan(ruleCount)
    const mark = url.indexOf('?')
    inspector.inspect(mark === -1 ? url : url.slice(0, mark), 'path', undefined, false, set, scan)
    if (mark === -1) return scan
    let end = url.indexOf('#', mark)
    if (end === -1) end = url.length
    let start = mark + 1
    while (start < end) {
      let next = url.indexOf('&', start)
      if (next === -1 || next > end) next = end
      if (next > start) {
        const pair = url.slice(start, next)
        if (customUrlRules || needsInspection(pair, 'query')) {
          const equals = pair.indexOf('=')
          const name = decodeOnce(equals === -1 ? pair : pair.slice(0, equals), true)
          inspector.inspect(pair, 'query', name, SENSITIVE_NAME.test(name), set, scan)
        }
      }
      start = next + 1
    }
    return scan
  }

  /** Publishes and logs the detections; refuses when one is in block mode. Returns whether it refused. */
  function report(request: FastifyRequest, reply: FastifyReply, set: RuleSet, detections: Detection[]): boolean {
    let blocking: Detection | undefined
    let blockingRank = -1
    const entries: Omit<DetectedEvent, 'request'>[] = []
    for (const detection of detections) {
      const rule = table.rules[detection.rule]!
      const mode = set.modes[detection.rule]!
      const severity = set.severities[detection.rule]!
      const entry: Omit<DetectedEvent, 'request'> = {
        rule: rule.id,
        type: rule.type,
        severity,
        mode,
        location: detection.location,
        sample: detection.sample,
      }
      if (detection.field !== undefined) entry.field = detection.field
      if (detection.encoding !== undefined) entry.encoding = detection.encoding
      entries.push(entry)
      if (mode === 'block' && SEVERITIES.indexOf(severity) > blockingRank) {
        blocking = detection
        blockingRank = SEVERITIES.indexOf(severity)
      }
    }
    if (detectedChannel.hasSubscribers) {
      for (const entry of entries) detectedChannel.publish({ request, ...entry })
    }
    if (logLevel !== 'silent') {
      request.log[logLevel]({ shield: { detections: entries } }, blocking === undefined ? LOG_MESSAGE : BLOCK_MESSAGE)
    }
    if (blocking === undefined) return false
    const type = table.rules[blocking.rule]!.type
    sendProblem(reply, BLOCKED, {
      detail: `The request was refused by the security monitor: ${type} detected in the ${blocking.location}.`,
    })
    return true
  }

  // onRequest: the URL and headers are all the rules need, so a refusal comes before the body is read.
  fastify.addHook(
    'onRequest',
    function shieldRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
      const set = routeRules(request)
      if (set === null || (exempt !== undefined && exempt.match(requestPath(request)) === true)) {
        done()
        return
      }
      ;(request as ShieldRequest)[kRuleSet] = set
      if (timed) (request as ShieldRequest)[kStart] = now()
      let scan = inspectHeaders(request, set, undefined)
      const url = request.url
      if (customUrlRules || urlNeedsInspection(url)) {
        scan = inspectUrl(url, set, scan)
      }
      if (scan !== undefined && scan.detections.length > 0 && report(request, reply, set, scan.detections)) return
      done()
    },
  )

  // preHandler: the body as the handler will see it, after parsing and schema validation.
  fastify.addHook(
    'preHandler',
    function shieldBody(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
      const set = (request as ShieldRequest)[kRuleSet]
      const body = request.body
      if (set === null || !set.body || body === undefined || body === null || ArrayBuffer.isView(body)) {
        done()
        return
      }
      const scan = new Scan(ruleCount)
      walker.walk(body, set, scan)
      if (scan.detections.length > 0 && report(request, reply, set, scan.detections)) return
      done()
    },
  )

  if (slowRequestMs > 0) {
    // onResponse: the duration is known only once the response is sent; an event, never a refusal.
    fastify.addHook(
      'onResponse',
      function shieldSlowRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
        const set = (request as ShieldRequest)[kRuleSet]
        if (set === null || set.modes[table.slowRequest] === undefined) {
          done()
          return
        }
        let durationMs: number
        if (now === undefined) durationMs = reply.elapsedTime
        else {
          const start = (request as ShieldRequest)[kStart]
          durationMs = start < 0 ? 0 : now() - start
        }
        if (durationMs > slowRequestMs) {
          durationMs = Math.round(durationMs * 1000) / 1000
          const route = routePattern(request) ?? UNMATCHED_ROUTE
          if (slowRequestChannel.hasSubscribers) slowRequestChannel.publish({ request, durationMs, route })
          if (logLevel !== 'silent') {
            request.log[logLevel](
              { shield: { slowRequest: { durationMs, route, thresholdMs: slowRequestMs } } },
              '@rampart/shield: slow request',
            )
          }
        }
        done()
      },
    )
  }
}

/** The serialised origin of a URL (`https://a.example:8443`), or `undefined` when it does not parse. */
function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin
    return origin === 'null' ? undefined : origin
  } catch {
    return undefined
  }
}

export { rampartShield }
export default fp(rampartShield, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

import {
  declareClientAddress,
  declareRequestPath,
  normalizePath,
  PrefixMatcher,
  requestPath,
  resolvePerRoute,
  routeSettings,
  sendProblem,
} from '@rampart/core'
import type { DoneFuncWithErrOrRes, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { defaultClientKey, localClientKey, sharedClientKey } from './client-key.js'
import { bannedChannel, exceededChannel, nearLimitChannel } from './diagnostics.js'
import { BANNED, EXCEEDED, PACKAGE, STORE_UNAVAILABLE, UnknownLimiterError } from './errors.js'
import { rateLimitField, seconds, strictestDecision } from './headers.js'
import { factorOf, ScaledStates } from './multipliers.js'
import { optionValidator, type RateLimitOptions, resolveOptions } from './options.js'
import type { PolicySet } from './policy.js'
import { type RouteState, routeLabel, routePolicies, routeScope, routeState } from './route-config.js'
import { StartupChecks } from './startup-checks.js'
import type { ConsumeResult, PolicyDecision, RateLimitStore } from './store.js'

/** What the limiters found for a request so far (every instance that ran adds to it). */
export interface RateLimitInfo {
  /** The store time of the latest decision (ms since the epoch). */
  now: number
  /** Every policy decision of every instance that limited the request, in order. */
  readonly decisions: PolicyDecision[]
  /** The `RateLimit-Policy` field for those decisions. */
  policyField: string
}

/** Shared by every instance (and every copy registered), so their headers describe all policies. */
const kInfo = Symbol.for('rampart.rate-limit.info')
type WithInfo = FastifyRequest & { [kInfo]: RateLimitInfo | null }

/** The policies met by a request so far, or `undefined` if no limiter counted it. */
export function getRateLimit(request: FastifyRequest): RateLimitInfo | undefined {
  return (request as WithInfo)[kInfo] ?? undefined
}

/** Instance names per HTTP server (for `limiter` references) and policy names per Fastify context. */
const limitersByServer = new WeakMap<object, Set<string>>()
const namesByContext = new WeakMap<object, Map<string, string>>()
const prefixesByStore = new WeakMap<RateLimitStore, Set<string>>()

function claim<K extends object, V>(map: WeakMap<K, V>, key: K, create: () => V): V {
  let value = map.get(key)
  if (value === undefined) {
    value = create()
    map.set(key, value)
  }
  return value
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T>).then === 'function'
}

async function rampartRateLimit(fastify: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const settings = resolveOptions(options, fastify)
  const { store, name: limiter, ipv6PrefixLength } = settings
  const validate = optionValidator
  const checks = new StartupChecks(fastify, limiter)
  declareClientAddress(fastify)
  declareRequestPath(fastify)
  if (!fastify.hasRequestDecorator(kInfo)) fastify.decorateRequest(kInfo, null)

  // Policy names must be unambiguous in the headers of every request of this context.
  const names = claim(namesByContext, fastify, () => new Map<string, string>())
  for (const policy of settings.policies) {
    const owner = names.get(policy.name)
    if (owner !== undefined) {
      validate.fail(
        `policies.${policy.name}`,
        `is already a policy of rate-limit instance "${owner}"; use another name`,
      )
    }
  }
  for (const policy of settings.policies) names.set(policy.name, limiter)
  claim(limitersByServer, fastify.server, () => new Set<string>()).add(limiter)
  const prefixes = claim(prefixesByStore, store, () => new Set<string>())
  const storeReused = prefixes.has(settings.prefix)
  prefixes.add(settings.prefix)
  checks.sharedStore(store, settings.prefixGiven, storeReused)
  const globalScope = `${settings.prefix}global`
  const globalSet: PolicySet = Object.freeze(
    settings.ban === undefined
      ? { scope: globalScope, policies: settings.policies }
      : { scope: globalScope, policies: settings.policies, ban: settings.ban },
  )
  checks.zeroLimits(settings.policies, `limiter "${limiter}"`, globalSet.scope)
  store.register?.(globalSet)
  const excluded = new PrefixMatcher(settings.excludedPaths.map((path) => [path, true] as const))
  const GLOBAL = routeState(false, false, [globalSet])
  const GLOBAL_EXCLUDED = routeState(false, true, [globalSet])
  const DISABLED = routeState(true, false, [])

  const kRoute = Symbol(`rampart.rate-limit.route.${limiter}`)
  const referencedLimiters = new Map<string, string>()
  const groupScopes = new Map<string, { scope: string; route: string }>()
  resolvePerRoute(fastify, kRoute, (route, rampart): RouteState => {
    const config = rampart?.rateLimit
    if (config === false) return DISABLED
    const excludedPattern = excluded.match(normalizePath(route.url)) === true
    const base = excludedPattern ? GLOBAL_EXCLUDED : GLOBAL
    if (config === undefined) return base
    const { policies, otherLimiters, group } = routePolicies(validate, route, config, limiter, settings.policyDefaults)
    for (const other of otherLimiters) referencedLimiters.set(other, routeLabel(route))
    if (policies.length === 0) return base
    for (const policy of policies) {
      const owner = names.get(policy.name)
      if (owner !== undefined) {
        validate.fail(
          `config.rampart.rateLimit.${policy.name} (route ${routeLabel(route)})`,
          `is already a global policy of rate-limit instance "${owner}"; use another name`,
        )
      }
    }
    const scope = routeScope(settings.prefix, route, policies, group)
    if (group !== undefined) {
      const known = groupScopes.get(group)
      if (known !== undefined && known.scope !== scope) {
        validate.fail(
          `config.rampart.rateLimit (route ${routeLabel(route)})`,
          `declares group "${group}" with other policies than route ${known.route}; one group counts one set of policies`,
        )
      }
      groupScopes.set(group, { scope, route: routeLabel(route) })
    }
    const set: PolicySet = Object.freeze({ scope, policies })
    checks.zeroLimits(policies, `route ${routeLabel(route)}`, set.scope)
    store.register?.(set)
    return routeState(false, excludedPattern, [globalSet, set])
  })

  fastify.addHook('onReady', async () => {
    checks.trustedProxies()
    await store.ready?.()
    const known = limitersByServer.get(fastify.server) ?? new Set<string>()
    for (const [other, route] of referencedLimiters) {
      if (!known.has(other)) throw new UnknownLimiterError(route, other, [...known].join(', '))
    }
  })
  if (settings.ownStore) fastify.addHook('onClose', async () => store.close?.())

  /**
   * 404s (no route: exempt by the normalised path alone, so `//health` is `/health`) and routes
   * registered before the plugin (no `onRoute` saw them: decide from the pattern now).
   */
  function fallbackState(request: FastifyRequest): RouteState {
    if (request.is404) return GLOBAL_EXCLUDED
    if (request.routeOptions.config.rampart?.rateLimit !== undefined) {
      checks.warn(
        'routeConfigIgnored',
        `route ${request.routeOptions.method} ${request.routeOptions.url} has config.rampart.rateLimit but was registered before @rampart/rate-limit, so only the global policies apply to it. Register the limiter first`,
        request.routeOptions.url,
      )
    }
    return excluded.match(normalizePath(request.routeOptions.url ?? '/')) === true ? GLOBAL_EXCLUDED : GLOBAL
  }

  let forwardedChecked = false
  const multipliers = settings.multipliers
  const scaledStates = new ScaledStates((set) => store.register?.(set))

  // A shared store (Redis) gets a fixed-length hash: no address or id leaves the process. A local
  // store gets short keys as they are (no hash per request); long ones, or one that could pass
  // for a hash's marker, are hashed too, so memory per client stays bounded.
  const clientKeyOf = store.shared ? sharedClientKey : localClientKey

  /** The decision: `undefined` to go on, the sent reply when refused, or a promise of either. */
  function decide(
    request: FastifyRequest,
    reply: FastifyReply,
  ): FastifyReply | undefined | Promise<FastifyReply | undefined> {
    let state = routeSettings<RouteState>(request, kRoute) ?? fallbackState(request)
    if (state.disabled) return undefined
    // Exempt only when the normalised path is excluded AND so is the pattern of the route serving
    // it, so neither `/api/..%2fhealth` (served by `/api/:name`) nor `/docs/../api/x` (served by
    // `/docs/*`, but normalised to /api/x) escapes the limits of the route that answers.
    if (state.excludedPattern && excluded.match(requestPath(request)) === true) return undefined
    if (!forwardedChecked && request.headers['x-forwarded-for'] !== undefined) {
      forwardedChecked = true
      checks.forwardedFor(request.server)
    }
    const raw = settings.key === undefined ? defaultClientKey(request, ipv6PrefixLength) : settings.key(request)
    if (raw === undefined || raw === null) return undefined
    const client = clientKeyOf(typeof raw === 'string' ? raw : String(raw))
    if (multipliers !== undefined) state = scaledStates.get(state, factorOf(multipliers, request.identity))
    const pending = store.consume(client, state.sets)
    if (!isPromise(pending)) return report(request, reply, client, state, pending)
    const decided = state
    return pending.then((result) => report(request, reply, client, decided, result))
  }

  // A callback hook: with the memory store the whole decision is synchronous, with no promise.
  function limit(request: FastifyRequest, reply: FastifyReply, done: DoneFuncWithErrOrRes): void {
    let decision: ReturnType<typeof decide>
    try {
      decision = decide(request, reply)
    } catch (error) {
      done(error as Error)
      return
    }
    if (decision === undefined) done()
    else if (isPromise(decision)) decision.then((sent) => (sent === undefined ? done() : undefined), done)
    // Refused: the problem reply is sent; Fastify goes no further.
  }

  function report(
    request: FastifyRequest,
    reply: FastifyReply,
    client: string,
    state: RouteState,
    result: ConsumeResult,
  ): FastifyReply | undefined {
    let info = (request as WithInfo)[kInfo]
    if (info === null) {
      info = { now: result.now, decisions: [...result.decisions], policyField: state.policyField }
      ;(request as WithInfo)[kInfo] = info
    } else {
      info.now = result.now
      info.decisions.push(...result.decisions)
      info.policyField += `, ${state.policyField}`
    }
    if (settings.draftHeaders) {
      reply.header('ratelimit-policy', info.policyField)
      reply.header('ratelimit', rateLimitField(info.decisions))
    }
    if (settings.legacyHeaders) {
      const strictest = strictestDecision(info.decisions) as PolicyDecision
      reply.header('x-ratelimit-limit', strictest.policy.capacity)
      reply.header('x-ratelimit-remaining', strictest.remaining)
      reply.header('x-ratelimit-reset', seconds(info.now + strictest.resetMs))
    }

    if (result.banStarted === true && bannedChannel.hasSubscribers && settings.ban !== undefined) {
      bannedChannel.publish({
        request,
        limiter,
        scope: globalSet.scope,
        client,
        duration: seconds(settings.ban.durationMs),
      })
    }
    if (result.bannedMs !== undefined && result.bannedMs > 0) {
      const retryAfter = Math.max(1, seconds(result.bannedMs))
      return sendProblem(reply, BANNED, {
        detail: `Too many requests over the limits: refused for ${retryAfter} s.`,
        headers: { 'retry-after': retryAfter },
        extensions: { retryAfter },
      })
    }

    let refusal: PolicyDecision | undefined
    let unavailable: PolicyDecision | undefined
    const violated: string[] = []
    for (const decision of result.decisions) {
      const policy = decision.policy
      if (!decision.allowed) {
        if (decision.unavailable === true) {
          if (unavailable === undefined || decision.retryAfterMs > unavailable.retryAfterMs) unavailable = decision
          continue
        }
        if (!policy.shadow) {
          violated.push(policy.name)
          if (refusal === undefined || decision.retryAfterMs > refusal.retryAfterMs) refusal = decision
        }
        if (exceededChannel.hasSubscribers) {
          exceededChannel.publish({
            request,
            limiter,
            policy: policy.name,
            scope: decision.scope,
            client,
            limit: policy.capacity,
            window: policy.windowSeconds,
            shadow: policy.shadow,
            retryAfter: seconds(decision.retryAfterMs),
          })
        }
      } else if (decision.nearLimit && nearLimitChannel.hasSubscribers) {
        nearLimitChannel.publish({
          request,
          limiter,
          policy: policy.name,
          scope: decision.scope,
          client,
          limit: policy.capacity,
          window: policy.windowSeconds,
          shadow: policy.shadow,
          remaining: decision.remaining,
          threshold: settings.policyDefaults.nearLimit,
        })
      }
    }
    if (refusal === undefined) {
      if (unavailable === undefined) return undefined
      // Only fail-closed policies refused, because the store cannot answer: not the client's doing.
      const retryAfter = Math.max(1, seconds(unavailable.retryAfterMs))
      return sendProblem(reply, STORE_UNAVAILABLE, {
        detail: `Rate limit "${unavailable.policy.name}" cannot be checked right now. Retry in ${retryAfter} s.`,
        headers: { 'retry-after': retryAfter },
        extensions: { policy: unavailable.policy.name, retryAfter },
      })
    }
    const retryAfter = Math.max(1, seconds(refusal.retryAfterMs))
    const policy = refusal.policy
    return sendProblem(reply, EXCEEDED, {
      detail: `Rate limit "${policy.name}" exceeded: ${policy.capacity} requests per ${policy.windowSeconds} s. Retry in ${retryAfter} s.`,
      headers: { 'retry-after': retryAfter },
      extensions: { policy: policy.name, 'violated-policies': violated, retryAfter },
    })
  }

  fastify.addHook(settings.hook, limit)
}

export { rampartRateLimit }
export default fp(rampartRateLimit, { fastify: '5.x', name: `@rampart/${PACKAGE}` })

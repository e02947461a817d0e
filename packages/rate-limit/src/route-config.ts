import type { OptionValidator, RampartRouteConfig } from '@rampart/core'
import type { RouteOptions } from 'fastify'
import { shortDigest } from './client-key.js'
import { compilePolicy, type Policy, type PolicyDefaults, type PolicyOptions, type PolicySet } from './policy.js'

/** A route's own policy: a `PolicyOptions` plus the instance that enforces it. */
export interface RoutePolicyOptions extends PolicyOptions {
  /** The `name` of the @rampart/rate-limit instance that enforces this policy. Default `'default'`. */
  limiter?: string
  /**
   * Routes whose policies name the same `group` share one count (e.g. `/api/auth/login` and
   * `/auth/login`); without it each route pattern counts alone. Letters, digits, `_.-`, at most 64.
   * Every policy of one route with a group must name the same group.
   */
  group?: string
}

/** `config.rampart.rateLimit`: the route's own policies (added to the global ones), or `false` to opt out. */
export type RouteRateLimit = Readonly<Record<string, RoutePolicyOptions>> | false

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /**
     * Policies of this route, enforced on top of the global ones (the strictest refusal wins),
     * counted per route pattern; or `false`: no rate-limit instance limits this route.
     */
    rateLimit?: RouteRateLimit
  }
}

/** What the limiter knows of a route, resolved once in `onRoute`. */
export interface RouteState {
  /** `rateLimit: false`. */
  readonly disabled: boolean
  /** The route's pattern lies under an excluded path (the request path must be excluded too). */
  readonly excludedPattern: boolean
  /** The sets consumed for the route: the global set, then the route's own, if any. */
  readonly sets: readonly PolicySet[]
  /** `RateLimit-Policy` for these sets. */
  readonly policyField: string
}

export function routeState(disabled: boolean, excludedPattern: boolean, sets: readonly PolicySet[]): RouteState {
  return Object.freeze({
    disabled,
    excludedPattern,
    sets: Object.freeze([...sets]),
    policyField: sets.flatMap((set) => set.policies.map((policy) => policy.policyItem)).join(', '),
  })
}

export function routeLabel(route: RouteOptions): string {
  const method = Array.isArray(route.method) ? route.method.join(',') : route.method
  return `${method} ${route.url}`
}

export interface RoutePolicies {
  /** This instance's policies for the route (empty if none). */
  readonly policies: readonly Policy[]
  /** Other instances the route's policies name (checked at ready). */
  readonly otherLimiters: readonly string[]
  /** The `group` the route's policies share their count under, if any. */
  readonly group: string | undefined
}

/** Validates `config.rampart.rateLimit` of one route and compiles the policies meant for `limiter`. */
const GROUP_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/

export function routePolicies(
  validate: OptionValidator,
  route: RouteOptions,
  config: RampartRouteConfig['rateLimit'],
  limiter: string,
  defaults: PolicyDefaults,
): RoutePolicies {
  const where = `config.rampart.rateLimit (route ${routeLabel(route)})`
  const given = validate.object(where, config)
  const policies: Policy[] = []
  const otherLimiters: string[] = []
  let group: string | undefined
  for (const name of Object.keys(given)) {
    const option = `config.rampart.rateLimit.${name} (route ${routeLabel(route)})`
    const entry = validate.object(option, given[name])
    const target = entry.limiter === undefined ? 'default' : validate.string(`${option}.limiter`, entry.limiter)
    if (target !== limiter) {
      otherLimiters.push(target)
      continue
    }
    policies.push(compilePolicy(validate, option, name, entry, defaults, ['limiter', 'group']))
    if (entry.group !== undefined) {
      const named = validate.string(`${option}.group`, entry.group, { pattern: GROUP_PATTERN })
      if (group !== undefined && group !== named) {
        validate.fail(`${option}.group`, `differs from "${group}", the group of another policy of this route`)
      }
      group = named
    }
  }
  return { policies, otherLimiters, group }
}

/**
 * The store scope of a route's set: derived from the route PATTERN (so `/users/1` and `/users/2`
 * share it) and from the policies' ids and limits (so GET and its automatic HEAD, which carry the
 * same config, share it, while a different definition gets its own counters).
 */
export function routeScope(
  prefix: string,
  route: RouteOptions,
  policies: readonly Policy[],
  group: string | undefined = undefined,
): string {
  const definition = policies.map((policy) => `${policy.id}/${policy.limit}+${policy.burst}`).join(',')
  // A group replaces the pattern: the same policies under one group are one count on every route.
  const owner = group === undefined ? route.url : `group\n${group}`
  return `${prefix}route:${shortDigest(`${owner}\n${definition}`)}`
}

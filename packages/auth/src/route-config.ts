import {
  type Access,
  type AuthStrategy,
  normalizePath,
  type PathPolicy,
  PUBLIC,
  resolveAccessFields,
} from '@rampart/core'
import type { RouteOptions } from 'fastify'
import { type AuthMode, MODES, optionValidator as validate } from './options.js'

/** `config.rampart.auth` of a route. */
export interface AuthRouteOptions {
  /** `true`: credentials required; `false`: checked when sent. Default: from the path rules (`true` when `scopes` are given). */
  required?: boolean
  /** Names of the strategies accepted on this route, in the order tried (`['jwt']`). Default: all, in the plugin's order. */
  strategies?: readonly string[]
  /** `'first'` or `'all'` for this route. Default: the plugin's `mode`. */
  mode?: AuthMode
  /** Scopes the identity must have (all of them), else 403. */
  scopes?: readonly string[]
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/auth: `false` = credentials never looked at on this route. */
    auth?: AuthRouteOptions | false
  }
}

/** A route's settings, resolved once in `onRoute`. */
export interface RouteState {
  /** Set by the route config; otherwise the stricter of the route pattern's and the path's access applies. */
  readonly explicit: Access | undefined
  /** Access of the route pattern under the path rules. */
  readonly patternAccess: Access
  readonly strategies: readonly AuthStrategy[]
  readonly mode: AuthMode
  readonly scopes: readonly string[]
  /** The bare challenge of every strategy of the route, sent with a 401. */
  readonly challenges: readonly string[]
}

const EMPTY: readonly string[] = Object.freeze([])

/** Builds the state of routes without `config.rampart.auth` (and of 404s). */
export function defaultState(strategies: readonly AuthStrategy[], mode: AuthMode): RouteState {
  return Object.freeze({
    explicit: undefined,
    patternAccess: PUBLIC,
    strategies,
    mode,
    scopes: EMPTY,
    challenges: Object.freeze(strategies.map((strategy) => strategy.challenge)),
  })
}

export function resolveRoute(
  route: { readonly url?: string | undefined; readonly method: RouteOptions['method'] },
  config: AuthRouteOptions | false | undefined,
  paths: PathPolicy,
  defaults: RouteState,
): RouteState {
  const where = `config.rampart.auth (route ${String(route.method)} ${route.url})`
  const patternAccess = paths.match(normalizePath(route.url ?? '/'))
  if (config === undefined) return Object.freeze({ ...defaults, patternAccess })
  if (config === false) return Object.freeze({ ...defaults, explicit: PUBLIC })
  const given = validate.object(where, config)
  validate.knownKeys(where, given, ['required', 'strategies', 'mode', 'scopes'])
  let strategies = defaults.strategies
  if (given.strategies !== undefined) {
    const names = validate.stringList(`${where}.strategies`, given.strategies)
    if (names.length === 0) validate.fail(`${where}.strategies`, 'must name at least one strategy')
    const known = new Map(defaults.strategies.map((strategy) => [strategy.name, strategy]))
    strategies = Object.freeze(
      names.map((name, index) => {
        const strategy = known.get(name)
        if (strategy === undefined) {
          validate.fail(
            `${where}.strategies[${index}]`,
            `is not a strategy; known: ${[...known.keys()].join(', ')}`,
            name,
          )
        }
        return strategy as AuthStrategy
      }),
    )
    if (new Set(names).size !== names.length) validate.fail(`${where}.strategies`, 'names a strategy twice')
  }
  const mode = given.mode === undefined ? defaults.mode : validate.oneOf(`${where}.mode`, given.mode, MODES)
  const { explicit, scopes } = resolveAccessFields(validate, where, given)
  return Object.freeze({
    explicit,
    patternAccess,
    strategies,
    mode,
    scopes,
    challenges: Object.freeze(strategies.map((strategy) => strategy.challenge)),
  })
}

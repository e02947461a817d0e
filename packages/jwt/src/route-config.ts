import { type Access, challengeWith, normalizePath, OPTIONAL, type PathPolicy, PUBLIC, REQUIRED } from '@rampart/core'
import type { RouteOptions } from 'fastify'
import { optionValidator as validate } from './options.js'

/** `config.rampart.jwt` of a route (standalone plugin only; under @rampart/auth use `config.rampart.auth`). */
export interface JwtRouteOptions {
  /** `true`: a token is required; `false`: checked when sent. Default: from the path rules, `true` when `scopes` are given. */
  required?: boolean
  /** Scopes the token must grant (all of them), else 403. */
  scopes?: readonly string[]
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/jwt (standalone plugin): `false` = never checked on this route. */
    jwt?: JwtRouteOptions | false
  }
}

/** A route's settings, resolved once in `onRoute`. */
export interface RouteState {
  /** Set by the route config; otherwise the stricter of the route pattern's and the path's access applies. */
  readonly explicit: Access | undefined
  /** Access of the route pattern under the path rules. */
  readonly patternAccess: Access
  readonly scopes: readonly string[]
  /** The `WWW-Authenticate` challenge of a 403 on this route. */
  readonly scopeChallenge: string
}

const EMPTY: readonly string[] = Object.freeze([])

/** Requests with no route (404): the path decides alone. */
export const NO_ROUTE: RouteState = Object.freeze({
  explicit: undefined,
  patternAccess: PUBLIC,
  scopes: EMPTY,
  scopeChallenge: '',
})

export function resolveRoute(
  route: { readonly url?: string | undefined; readonly method: RouteOptions['method'] },
  config: JwtRouteOptions | false | undefined,
  paths: PathPolicy,
  challenge: string,
): RouteState {
  const where = `config.rampart.jwt (route ${String(route.method)} ${route.url})`
  const patternAccess = paths.match(normalizePath(route.url ?? '/'))
  if (config === undefined) return Object.freeze({ ...NO_ROUTE, patternAccess })
  if (config === false) return Object.freeze({ ...NO_ROUTE, explicit: PUBLIC })
  const given = validate.object(where, config)
  validate.knownKeys(where, given, ['required', 'scopes'])
  const scopes =
    given.scopes === undefined ? EMPTY : Object.freeze(validate.stringList(`${where}.scopes`, given.scopes))
  let explicit: Access | undefined
  if (given.required !== undefined) {
    explicit = validate.boolean(`${where}.required`, given.required) ? REQUIRED : OPTIONAL
  }
  if (scopes.length > 0) {
    if (explicit === OPTIONAL) validate.fail(`${where}.required`, 'cannot be false when `scopes` are required')
    explicit = REQUIRED
  }
  const scopeChallenge =
    scopes.length === 0
      ? ''
      : challengeWith(challenge, [
          ['error', 'insufficient_scope'],
          ['scope', scopes.join(' ')],
        ])
  return Object.freeze({ explicit, patternAccess, scopes, scopeChallenge })
}

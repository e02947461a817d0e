import {
  type Access,
  challengeWith,
  normalizePath,
  OPTIONAL,
  OptionValidator,
  type PathPolicy,
  PUBLIC,
  REQUIRED,
} from '@rampart/core'
import type { RouteOptions } from 'fastify'
import { PACKAGE } from './errors.js'

/** `config.rampart.apiKey` of a route (standalone plugin only; under @rampart/auth use `config.rampart.auth`). */
export interface ApiKeyRouteOptions {
  /** `true`: a key is required; `false`: checked when sent. Default: from the path rules, `true` when `scopes` are given. */
  required?: boolean
  /** Scopes the key must grant (all of them), else 403. */
  scopes?: readonly string[]
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/api-key (standalone plugin): `false` = never checked on this route. */
    apiKey?: ApiKeyRouteOptions | false
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

const validate = new OptionValidator(PACKAGE)
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
  config: ApiKeyRouteOptions | false | undefined,
  paths: PathPolicy,
  challenge: string,
): RouteState {
  const where = `config.rampart.apiKey (route ${String(route.method)} ${route.url})`
  const patternAccess = paths.match(normalizePath(route.url ?? '/'))
  if (config === undefined) return Object.freeze({ ...NO_ROUTE, patternAccess })
  if (config === false) return Object.freeze({ ...NO_ROUTE, explicit: PUBLIC })
  const given = validate.object(where, config)
  validate.knownKeys(where, given, ['required', 'scopes'])
  const scopes =
    given.scopes === undefined ? EMPTY : Object.freeze(validate.stringList(`${where}.scopes`, given.scopes))
  let explicit: Access | undefined
  if (given.required !== undefined)
    explicit = validate.boolean(`${where}.required`, given.required) ? REQUIRED : OPTIONAL
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

import { NO_ROUTE_ACCESS, OptionValidator, type PathPolicy, type RouteAccess, resolveRouteAccess } from '@rampart/core'
import type { RouteOptions } from 'fastify'
import { PACKAGE } from './errors.js'

const validate = new OptionValidator(PACKAGE)

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

/** A route's settings, resolved once in `onRoute` (core's shared route access). */
export type RouteState = RouteAccess

/** Requests with no route (404): the path decides alone. */
export const NO_ROUTE: RouteState = NO_ROUTE_ACCESS

export function resolveRoute(
  route: { readonly url?: string | undefined; readonly method: RouteOptions['method'] },
  config: ApiKeyRouteOptions | false | undefined,
  paths: PathPolicy,
  challenge: string,
): RouteState {
  return resolveRouteAccess(validate, 'apiKey', route, config, paths, challenge)
}

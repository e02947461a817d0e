import { type Access, normalizePath, OPTIONAL, OptionValidator, type PathPolicy, PUBLIC, REQUIRED } from '@rampart/core'
import type { RouteOptions } from 'fastify'
import { PACKAGE } from './errors.js'

/** `config.rampart.signature` of a route. */
export interface SignatureRouteOptions {
  /** `true`: a signature is required (401 without one); `false`: verified when sent. Default: from the path rules. */
  required?: boolean
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/signature: `false` = signature headers never looked at on this route. */
    signature?: SignatureRouteOptions | false
  }
}

/** A route's settings, resolved once in `onRoute`. */
export interface RouteState {
  /** Set by the route config; otherwise the stricter of the route pattern's and the path's access applies. */
  readonly explicit: Access | undefined
  /** Access of the route pattern under the path rules. */
  readonly patternAccess: Access
}

const validate = new OptionValidator(PACKAGE)

/** Requests with no route (404): the path decides alone. */
export const NO_ROUTE: RouteState = Object.freeze({ explicit: undefined, patternAccess: PUBLIC })

export function resolveRoute(
  route: { readonly url?: string | undefined; readonly method: RouteOptions['method'] },
  config: SignatureRouteOptions | false | undefined,
  paths: PathPolicy,
): RouteState {
  const patternAccess = paths.match(normalizePath(route.url ?? '/'))
  if (config === undefined) return Object.freeze({ explicit: undefined, patternAccess })
  if (config === false) return Object.freeze({ explicit: PUBLIC, patternAccess })
  const where = `config.rampart.signature (route ${String(route.method)} ${route.url})`
  const given = validate.object(where, config)
  validate.knownKeys(where, given, ['required'])
  if (given.required === undefined) return Object.freeze({ explicit: undefined, patternAccess })
  const explicit = validate.boolean(`${where}.required`, given.required) ? REQUIRED : OPTIONAL
  return Object.freeze({ explicit, patternAccess })
}

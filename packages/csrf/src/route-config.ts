import type { RouteDescription } from '@rampart/core'
import { optionValidator as validate } from './options.js'

/** `config.rampart.csrf` of a route. */
export interface CsrfRouteOptions {
  /** Overrides the plugin's `skipWhenNoCookies` on this route (`false` on a login form refuses cookieless posts). */
  skipWhenNoCookies?: boolean
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/csrf: `false` = never checked on this route; an object overrides settings. */
    csrf?: CsrfRouteOptions | false
  }
}

/** A route's settings, resolved once in `onRoute`. */
export interface RouteState {
  readonly checked: boolean
  readonly skipWhenNoCookies: boolean
}

export const UNCHECKED: RouteState = Object.freeze({ checked: false, skipWhenNoCookies: true })

export function resolveRoute(
  route: RouteDescription,
  config: CsrfRouteOptions | false | undefined,
  skipWhenNoCookies: boolean,
): RouteState {
  if (config === false) return UNCHECKED
  if (config === undefined) return Object.freeze({ checked: true, skipWhenNoCookies })
  const where = `config.rampart.csrf (route ${String(route.method)} ${route.url})`
  const given = validate.object(where, config)
  validate.knownKeys(where, given, ['skipWhenNoCookies'])
  return Object.freeze({
    checked: true,
    skipWhenNoCookies:
      given.skipWhenNoCookies === undefined
        ? skipWhenNoCookies
        : validate.boolean(`${where}.skipWhenNoCookies`, given.skipWhenNoCookies),
  })
}

import { OptionValidator, type RampartRouteConfig } from '@rampart/core'
import type { RouteOptions } from 'fastify'
import { PACKAGE } from './errors.js'

/** Per-route setting: `config: { rampart: { requestLog: false } }` writes no line for the route. */
export type RequestLogRouteOptions = false

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** `false`: @rampart/request-log writes no line for this route (health checks, metrics). */
    requestLog?: RequestLogRouteOptions
  }
}

/** The resolved per-route setting: `true` when the route is silenced. */
export const kSilenced: unique symbol = Symbol('rampart.request-log.silenced')

const validate = new OptionValidator(PACKAGE)

/** Resolves a route's `config.rampart.requestLog` once, in `onRoute`. */
export function resolveRouteSetting(route: RouteOptions, rampart: RampartRouteConfig | undefined): boolean {
  const value = rampart?.requestLog
  if (value === undefined) return false
  if (value !== false) {
    validate.fail(`config.rampart.requestLog of ${route.method} ${route.url}`, 'must be false or absent', value)
  }
  return true
}

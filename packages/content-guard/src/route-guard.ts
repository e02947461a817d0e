import { normalizePath, type RampartRouteConfig } from '@rampart/core'
import type { RouteOptions } from 'fastify'
import { MediaTypePolicy } from './media-type.js'
import { type ResolvedContentGuardOptions, resolveRouteOptions } from './options.js'
import type { PathLimits } from './path-limits.js'

/** What content-guard does on one route, resolved once in `onRoute` and read per request. */
export interface RouteGuard {
  /** `false` when the route opted out with `contentGuard: false`. */
  readonly enabled: boolean
  readonly rejectNullBytes: boolean
  /** The limit of every request on the route, or -1: look the request's path up. */
  readonly fixedLimit: number
  /** The most a path lookup may give on this route (`Infinity` when unknown). */
  readonly ceiling: number
  /** Media type policy by method; a method not in the map is not type-checked. */
  readonly types: ReadonlyMap<string, MediaTypePolicy>
}

/** Methods Fastify never reads a body for. */
const BODYLESS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'TRACE'])

function isStaticPattern(url: string): boolean {
  return !url.includes(':') && !url.includes('*') && !url.includes('(')
}

/** Builds the `RouteGuard` of each route, and sets the route's Fastify `bodyLimit`. */
export class RouteGuards {
  /** The guard of requests no `onRoute` saw: 404s and routes registered before the plugin. */
  readonly global: RouteGuard
  readonly #disabled: RouteGuard
  readonly #settings: ResolvedContentGuardOptions
  readonly #limits: PathLimits
  readonly #skip: ReadonlySet<string>
  readonly #serverBodyLimit: number

  constructor(settings: ResolvedContentGuardOptions, limits: PathLimits, serverBodyLimit: number) {
    this.#settings = settings
    this.#limits = limits
    this.#skip = new Set(settings.skipMethods)
    this.#serverBodyLimit = serverBodyLimit
    const types = new Map<string, MediaTypePolicy>()
    for (const [method, ranges] of Object.entries(settings.allowedTypes)) {
      types.set(method, new MediaTypePolicy(method, ranges))
    }
    this.global = Object.freeze({
      enabled: true,
      rejectNullBytes: settings.rejectNullBytes,
      fixedLimit: -1,
      ceiling: Number.POSITIVE_INFINITY,
      types,
    })
    this.#disabled = Object.freeze({ ...this.global, enabled: false, rejectNullBytes: false, types: new Map() })
  }

  /** The guard of a route being registered. Sets `route.bodyLimit` when `adjustRouteBodyLimit`. */
  forRoute(route: RouteOptions, rampart: RampartRouteConfig | undefined): RouteGuard {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    const config = rampart?.contentGuard
    const options = config === undefined ? undefined : resolveRouteOptions(config, `${methods.join(',')} ${route.url}`)
    if (options === false) return this.#disabled

    let fixedLimit = -1
    let ceiling = Number.POSITIVE_INFINITY
    const fastifyLimit = route.bodyLimit
    if (options?.bodyLimit !== undefined) fixedLimit = options.bodyLimit
    else if (fastifyLimit !== undefined) fixedLimit = fastifyLimit
    else if (isStaticPattern(route.url)) fixedLimit = this.#limits.forPath(normalizePath(route.url))
    else ceiling = this.#limits.forPattern(route.url)

    const checked = methods.filter((method) => !this.#skip.has(method))
    if (this.#settings.adjustRouteBodyLimit && fastifyLimit === undefined && checked.length > 0) {
      let bodyLimit = fixedLimit >= 0 ? fixedLimit : ceiling
      // A skipped method Fastify still parses (OPTIONS) must not get more than Fastify would allow.
      if (methods.some((method) => this.#skip.has(method) && !BODYLESS.has(method))) {
        bodyLimit = Math.min(bodyLimit, this.#serverBodyLimit)
      }
      route.bodyLimit = Math.max(1, bodyLimit)
    }

    let types = this.global.types
    if (options?.allowedTypes === false) types = this.#disabled.types
    else if (options?.allowedTypes !== undefined) {
      const ranges = options.allowedTypes
      types = new Map(checked.map((method) => [method, new MediaTypePolicy(method, ranges)]))
    }
    return Object.freeze({ enabled: true, rejectNullBytes: this.#settings.rejectNullBytes, fixedLimit, ceiling, types })
  }
}

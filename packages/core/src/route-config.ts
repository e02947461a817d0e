import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'

/**
 * Per-route settings of the suite, under `config.rampart` of a route. Each package adds its key:
 * `declare module '@rampart/core' { interface RampartRouteConfig { rateLimit?: ... | false } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by every package
export interface RampartRouteConfig {}

declare module 'fastify' {
  interface FastifyContextConfig {
    rampart?: RampartRouteConfig
  }
}

type ConfigWith<T> = Record<PropertyKey, unknown> & { [key: symbol]: T | undefined }

/**
 * Resolves a package's per-route settings once per route, in `onRoute`, and stores them on the
 * route's config under `key`; `routeSettings(request, key)` reads them back per request without
 * re-resolving. Routes registered before the plugin keep the plugin's global settings.
 */
export function resolvePerRoute<T>(
  fastify: FastifyInstance,
  key: symbol,
  resolve: (route: RouteOptions, rampart: RampartRouteConfig | undefined) => T,
): void {
  declareRouteConfig(fastify)
  fastify.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as ConfigWith<T> & { rampart?: RampartRouteConfig }
    route.config = { ...config, [key]: resolve(route, config.rampart) } as typeof route.config
  })
}

const kRouteConfig = Symbol('rampart.core.routeConfig')
type WithRouteConfig = FastifyRequest & { [kRouteConfig]?: Record<PropertyKey, unknown> | null }

/** Declares the per-request memo slot of `routeSettings`. Idempotent. */
export function declareRouteConfig(fastify: FastifyInstance): void {
  if (!fastify.hasRequestDecorator(kRouteConfig)) fastify.decorateRequest(kRouteConfig, null)
}

/**
 * The settings `resolvePerRoute` stored for the request's route, or `undefined` (404s, routes
 * registered before the plugin). The route config is looked up once per request for all plugins.
 */
export function routeSettings<T>(request: FastifyRequest, key: symbol): T | undefined {
  let config = (request as WithRouteConfig)[kRouteConfig]
  if (!config) {
    config = request.routeOptions.config as unknown as Record<PropertyKey, unknown>
    ;(request as WithRouteConfig)[kRouteConfig] = config
  }
  return config[key] as T | undefined
}

/** What `perRouteSettings` resolves a route from: its pattern, method and config. */
export interface RouteDescription {
  readonly url?: string | undefined
  readonly method: RouteOptions['method']
}

/**
 * `resolvePerRoute` plus the two cases it cannot see, in one lookup: a 404 gets `notFound`, and a
 * route registered before the plugin (no `onRoute` for it) is resolved on its first request, once.
 */
export function perRouteSettings<T>(
  fastify: FastifyInstance,
  key: symbol,
  resolve: (route: RouteDescription, rampart: RampartRouteConfig | undefined) => T,
  notFound: T,
): (request: FastifyRequest) => T {
  resolvePerRoute(fastify, key, resolve)
  const lateRoutes = new WeakMap<object, T>()
  return (request) => {
    const resolved = routeSettings<T>(request, key)
    if (resolved !== undefined) return resolved
    if (request.is404) return notFound
    const routeOptions = request.routeOptions
    const config = routeOptions.config
    let settings = lateRoutes.get(config)
    if (settings === undefined) {
      settings = resolve(routeOptions, (config as { rampart?: RampartRouteConfig }).rampart)
      lateRoutes.set(config, settings)
    }
    return settings
  }
}

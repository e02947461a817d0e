import type { RouteDescription } from '@rampart/core'
import { CircuitBreaker, type TransitionListener } from './circuit-breaker.js'
import {
  BREAKER_KEYS,
  type BreakerOptions,
  optionValidator,
  type ResolvedBreakerOptions,
  resolveBreakerOptions,
} from './options.js'

/** `config.rampart.circuitBreaker` of a route: overrides of the plugin's breaker options. */
export type CircuitBreakerRouteOptions = BreakerOptions

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/circuit-breaker: overrides for this route's breaker, or `false` for no breaker on it. */
    circuitBreaker?: CircuitBreakerRouteOptions | false
  }
}

/**
 * One route's breaker: its label and settings, resolved once when the route is added; the
 * `CircuitBreaker` itself is created on the route's first request.
 */
export class RouteCircuit {
  readonly route: string
  readonly settings: ResolvedBreakerOptions
  #breaker: CircuitBreaker | null = null
  readonly #onTransition: TransitionListener

  constructor(route: string, settings: ResolvedBreakerOptions, onTransition: TransitionListener) {
    this.route = route
    this.settings = settings
    this.#onTransition = onTransition
  }

  /** The breaker, created on first use. */
  get breaker(): CircuitBreaker {
    if (this.#breaker === null) this.#breaker = new CircuitBreaker(this.route, this.settings, this.#onTransition)
    return this.#breaker
  }

  /** The breaker if a request has needed it yet. */
  get existing(): CircuitBreaker | null {
    return this.#breaker
  }
}

/**
 * The label of a route's breaker: its methods and pattern, `GET /api/users/:id`. `HEAD` is labelled
 * `GET`, so the `HEAD` route Fastify adds for every `GET` route shares the `GET` route's breaker.
 */
export function routeLabel(route: RouteDescription): string {
  const methods = Array.isArray(route.method) ? route.method : [route.method]
  const names: string[] = []
  for (const method of methods) {
    const name = String(method).toUpperCase() === 'HEAD' ? 'GET' : String(method).toUpperCase()
    if (!names.includes(name)) names.push(name)
  }
  return `${names.join(',')} ${route.url ?? '/'}`
}

/**
 * The routes of one plugin instance, by label: one `RouteCircuit` per method and route pattern
 * (never per raw path), so their number is bounded by the routes the app declares.
 */
export class RouteTable {
  readonly #byLabel = new Map<string, RouteCircuit>()
  readonly #base: ResolvedBreakerOptions
  readonly #onTransition: TransitionListener

  constructor(base: ResolvedBreakerOptions, onTransition: TransitionListener) {
    this.#base = base
    this.#onTransition = onTransition
  }

  /**
   * The circuit of a route, or `null` when `config.rampart.circuitBreaker` is `false`. A route with
   * the label of one already known (the automatic `HEAD` of a `GET`, the same pattern under another
   * constraint) shares that route's circuit and settings.
   */
  resolve(route: RouteDescription, config: CircuitBreakerRouteOptions | false | undefined): RouteCircuit | null {
    if (config === false) return null
    const label = routeLabel(route)
    const where = `config.rampart.circuitBreaker (route ${label})`
    let settings = this.#base
    if (config !== undefined) {
      const given = optionValidator.object(where, config)
      optionValidator.knownKeys(where, given, BREAKER_KEYS)
      settings = resolveBreakerOptions(given, this.#base, where)
    }
    const known = this.#byLabel.get(label)
    if (known !== undefined) return known
    const circuit = new RouteCircuit(label, settings, this.#onTransition)
    this.#byLabel.set(label, circuit)
    return circuit
  }

  get(label: string): RouteCircuit | undefined {
    return this.#byLabel.get(label)
  }

  values(): IterableIterator<RouteCircuit> {
    return this.#byLabel.values()
  }
}

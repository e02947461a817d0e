import type { FastifyInstance, FastifyRequest } from 'fastify'
import { normalizePath } from './path.js'

export interface MatcherOptions {
  /** Compare paths case-sensitively (Fastify's default). */
  caseSensitive?: boolean
}

export type PathRules<T> = Readonly<Record<string, T>> | Iterable<readonly [string, T]>

function entriesOf<T>(rules: PathRules<T>): [string, T][] {
  return Symbol.iterator in rules
    ? [...(rules as Iterable<readonly [string, T]>)].map(([key, value]) => [key, value])
    : Object.entries(rules as Record<string, T>)
}

/**
 * Longest-prefix rules on normalised paths, segment-aware: the rule `/api/` (or `/api`) matches
 * `/api` and `/api/x`, not `/apix`; `/` matches everything. Rules are normalised once here;
 * `match` takes a path already normalised by `normalizePath` / `requestPath`.
 */
export class PrefixMatcher<T> {
  readonly #prefixes: { path: string; withSlash: string; value: T }[]
  readonly #root: T | undefined
  readonly #caseSensitive: boolean

  constructor(rules: PathRules<T>, { caseSensitive = true }: MatcherOptions = {}) {
    this.#caseSensitive = caseSensitive
    let root: T | undefined
    const prefixes: { path: string; withSlash: string; value: T }[] = []
    for (const [rule, value] of entriesOf(rules)) {
      const path = normalizePath(rule, caseSensitive)
      if (path === '/') root = value
      else prefixes.push({ path, withSlash: `${path}/`, value })
    }
    prefixes.sort((a, b) => b.path.length - a.path.length)
    this.#prefixes = prefixes
    this.#root = root
  }

  get size(): number {
    return this.#prefixes.length + (this.#root === undefined ? 0 : 1)
  }

  match(path: string): T | undefined {
    const subject = this.#caseSensitive ? path : path.toLowerCase()
    for (const prefix of this.#prefixes) {
      if (subject === prefix.path || subject.startsWith(prefix.withSlash)) return prefix.value
    }
    return this.#root
  }
}

/**
 * Rules keyed by Fastify route pattern (`/api/users/:id`), so every id shares one rule. Matched
 * against the pattern of the route that served the request; unmatched requests (404) match nothing.
 */
export class RoutePatternMatcher<T> {
  readonly #rules: Map<string, T>

  constructor(rules: PathRules<T>) {
    this.#rules = new Map(entriesOf(rules))
  }

  get size(): number {
    return this.#rules.size
  }

  matchPattern(pattern: string | undefined): T | undefined {
    return pattern === undefined ? undefined : this.#rules.get(pattern)
  }

  match(request: FastifyRequest): T | undefined {
    return this.#rules.size === 0 ? undefined : this.#rules.get(routePattern(request) ?? '')
  }
}

/** The pattern of the route serving the request (`/api/users/:id`), `undefined` on a 404. */
export function routePattern(request: FastifyRequest): string | undefined {
  return request.is404 ? undefined : request.routeOptions.url
}

/** Whether the app's router matches paths case-sensitively (Fastify's default). */
export function routerCaseSensitive(fastify: FastifyInstance): boolean {
  const config = fastify.initialConfig as typeof fastify.initialConfig & { routerOptions?: { caseSensitive?: boolean } }
  return (config.routerOptions?.caseSensitive ?? config.caseSensitive) !== false
}

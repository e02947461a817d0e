import { normalizePath, PrefixMatcher, requestPath } from '@rampart/core'
import type { FastifyRequest } from 'fastify'

/**
 * The body limits by path prefix: the longest segment-aware prefix of the normalised path wins
 * (core `PrefixMatcher`), the `/` rule covers every other path. Also answers, once per route in
 * `onRoute`, what limit a route pattern can reach.
 */
export class PathLimits {
  /** The `/` limit: paths under no other prefix. */
  readonly root: number
  readonly #matcher: PrefixMatcher<number>
  readonly #rules: readonly { segments: readonly string[]; limit: number }[]
  readonly #caseSensitive: boolean

  /** `rules` are normalised prefixes (see `resolveOptions`) and must include `/`. */
  constructor(rules: readonly (readonly [string, number])[], caseSensitive: boolean) {
    this.#caseSensitive = caseSensitive
    this.#matcher = new PrefixMatcher(rules, { caseSensitive })
    let root: number | undefined
    const parsed: { segments: readonly string[]; limit: number }[] = []
    for (const [prefix, limit] of rules) {
      if (prefix === '/') root = limit
      else parsed.push({ segments: this.#segments(prefix), limit })
    }
    if (root === undefined) throw new TypeError('PathLimits needs a "/" rule')
    this.root = root
    this.#rules = parsed
  }

  /** The limit of a path already normalised by `normalizePath` / `requestPath`. */
  forPath(path: string): number {
    return this.#matcher.match(path) ?? this.root
  }

  /**
   * The limit of a request's path. Core keeps `%2F` inside its segment, as the router does, so an
   * encoded slash cannot move a request under another prefix.
   */
  forRequest(request: FastifyRequest): number {
    return this.forPath(requestPath(request))
  }

  /**
   * The largest limit any request served by a route pattern can get (`/api/:id`, `/files/*`):
   * the maximum over `/` and every prefix whose segments the pattern can match. A `:param` segment
   * matches any one segment, a `*` or regex segment any number of them.
   */
  forPattern(pattern: string): number {
    const segments = pattern.split('/').filter((segment) => segment.length > 0)
    let open = segments.findIndex((segment) => segment.includes('*') || segment.includes('('))
    if (open === -1) open = segments.length + 1
    let ceiling = this.root
    for (const rule of this.#rules) {
      if (rule.limit > ceiling && patternCanMatch(segments, open, rule.segments, this.#caseSensitive)) {
        ceiling = rule.limit
      }
    }
    return ceiling
  }

  #segments(prefix: string): readonly string[] {
    const path = this.#caseSensitive ? prefix : prefix.toLowerCase()
    return path.split('/').filter((segment) => segment.length > 0)
  }
}

function patternCanMatch(
  pattern: readonly string[],
  open: number,
  prefix: readonly string[],
  caseSensitive: boolean,
): boolean {
  for (let i = 0; i < prefix.length; i++) {
    if (i >= open) return true
    const segment = pattern[i]
    if (segment === undefined) return false
    if (segment.includes(':')) continue
    const literal = normalizePath(`/${segment}`, caseSensitive).slice(1)
    // A dot segment in a pattern is odd; count it as matching anything rather than nothing.
    if (literal.length > 0 && literal !== prefix[i]) return false
  }
  return true
}

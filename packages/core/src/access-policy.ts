import { PrefixMatcher } from './route-matching.js'

/** What a path or route needs: credentials never looked at, checked when sent, required. */
export const PUBLIC = 0
export const OPTIONAL = 1
export const REQUIRED = 2
export type Access = typeof PUBLIC | typeof OPTIONAL | typeof REQUIRED

export type AccessPolicy = 'public' | 'optional' | 'required'
export const ACCESS: Readonly<Record<AccessPolicy, Access>> = Object.freeze({
  public: PUBLIC,
  optional: OPTIONAL,
  required: REQUIRED,
})

/**
 * Longest-prefix path rules (core `PrefixMatcher`, normalised and segment-aware). The plugin applies
 * them to both the request's normalised path and the pattern of the route serving it, and takes the
 * stricter answer, so neither a path spelling (`//api/x`, `/api/x/`, `/%61pi/x`) nor a dot-segment
 * trick (`/api/x/../../health` served by `/api/*`) reaches a required route as public.
 */
export class PathPolicy {
  readonly #matcher: PrefixMatcher<Access>
  readonly #fallback: Access

  constructor(rules: readonly (readonly [string, Access])[], fallback: Access, caseSensitive: boolean) {
    this.#matcher = new PrefixMatcher(rules, { caseSensitive })
    this.#fallback = fallback
  }

  /** The access a normalised path (or route pattern) needs. */
  match(path: string): Access {
    return this.#matcher.match(path) ?? this.#fallback
  }
}

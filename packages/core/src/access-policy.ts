import { challengeWith } from './challenge.js'
import type { OptionValidator } from './options.js'
import { normalizePath } from './path.js'
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

/** The access part of a route's authentication config (`required`, `scopes`), validated. */
export interface RouteAccessFields {
  /** Set by `required` (or implied by `scopes`); `undefined`: the path rules decide. */
  readonly explicit: Access | undefined
  /** Scopes the credentials must grant (all of them). */
  readonly scopes: readonly string[]
}

const NO_SCOPES: readonly string[] = Object.freeze([])

/**
 * Reads `required` and `scopes` of a route's config object (`where` names it in errors): scopes
 * imply `required`, and `required: false` with scopes is a contradiction that fails registration.
 * Shared by @rampart/auth and the standalone strategy plugins.
 */
export function resolveAccessFields(
  validate: OptionValidator,
  where: string,
  given: Readonly<Record<string, unknown>>,
): RouteAccessFields {
  const scopes =
    given.scopes === undefined ? NO_SCOPES : Object.freeze(validate.stringList(`${where}.scopes`, given.scopes))
  let explicit: Access | undefined
  if (given.required !== undefined) {
    explicit = validate.boolean(`${where}.required`, given.required) ? REQUIRED : OPTIONAL
  }
  if (scopes.length > 0) {
    if (explicit === OPTIONAL) validate.fail(`${where}.required`, 'cannot be false when `scopes` are required')
    explicit = REQUIRED
  }
  return { explicit, scopes }
}

/** What a strategy plugin knows of one route, resolved once in `onRoute`. */
export interface RouteAccess extends RouteAccessFields {
  /** Access of the route pattern under the path rules. */
  readonly patternAccess: Access
  /** The `WWW-Authenticate` challenge of a 403 on this route (empty without scopes). */
  readonly scopeChallenge: string
}

/** Requests with no route (404): the path decides alone. */
export const NO_ROUTE_ACCESS: RouteAccess = Object.freeze({
  explicit: undefined,
  patternAccess: PUBLIC,
  scopes: NO_SCOPES,
  scopeChallenge: '',
})

/**
 * A strategy plugin's `config.rampart.<key>` of one route (`{ required?, scopes? } | false`),
 * validated and resolved against the path rules: shared by @rampart/jwt and @rampart/api-key.
 */
export function resolveRouteAccess(
  validate: OptionValidator,
  key: string,
  route: { readonly url?: string | undefined; readonly method: unknown },
  config: unknown,
  paths: PathPolicy,
  challenge: string,
): RouteAccess {
  const where = `config.rampart.${key} (route ${String(route.method)} ${route.url})`
  const patternAccess = paths.match(normalizePath(route.url ?? '/'))
  if (config === undefined) return Object.freeze({ ...NO_ROUTE_ACCESS, patternAccess })
  if (config === false) return Object.freeze({ ...NO_ROUTE_ACCESS, explicit: PUBLIC })
  const given = validate.object(where, config)
  validate.knownKeys(where, given, ['required', 'scopes'])
  const { explicit, scopes } = resolveAccessFields(validate, where, given)
  const scopeChallenge =
    scopes.length === 0
      ? ''
      : challengeWith(challenge, [
          ['error', 'insufficient_scope'],
          ['scope', scopes.join(' ')],
        ])
  return Object.freeze({ explicit, patternAccess, scopes, scopeChallenge })
}

import { type AuthStrategy, normalizePath, OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'

export type AuthMode = 'first' | 'all'
export type AuthHook = 'onRequest' | 'preHandler'

/** Options of @rampart/auth. */
export interface AuthOptions {
  /**
   * The strategies, tried in this order (put JWT first, then API key, unless you have a reason):
   * `[createJwtStrategy(app, ...), createApiKeyStrategy(app, ...)]`. Names must be unique. Required.
   */
  strategies: readonly AuthStrategy[]
  /**
   * `'first'` (or): the first strategy whose credentials are present decides; an invalid one is 401
   * and never falls through. `'all'` (and): every strategy must authenticate. Default `'first'`.
   */
  mode?: AuthMode
  /** Access of paths no rule matches: `'required'` (401 without credentials) or `'optional'`. Default `'required'`. */
  defaultPolicy?: 'optional' | 'required'
  /** Path prefixes whose credentials are never looked at. Default `['/health', '/metrics', '/docs', '/openapi.json']`. */
  publicPaths?: readonly string[]
  /** Path prefixes where credentials are checked when sent (a valid one sets the identity, an invalid one is 401). Default `[]`. */
  optionalPaths?: readonly string[]
  /** Path prefixes that require credentials. Default `[]` (all of them when `defaultPolicy` is `'required'`). */
  requiredPaths?: readonly string[]
  /** `'onRequest'` (before the body is read; a rate limiter at `preHandler` sees the identity) or `'preHandler'`. Default `'onRequest'`. */
  hook?: AuthHook
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedAuthOptions {
  readonly strategies: readonly AuthStrategy[]
  readonly mode: AuthMode
  readonly defaultPolicy: 'optional' | 'required'
  readonly publicPaths: readonly string[]
  readonly optionalPaths: readonly string[]
  readonly requiredPaths: readonly string[]
  readonly hook: AuthHook
}

export const DEFAULTS = Object.freeze({
  mode: 'first' as AuthMode,
  defaultPolicy: 'required' as 'optional' | 'required',
  publicPaths: Object.freeze(['/health', '/metrics', '/docs', '/openapi.json']) as readonly string[],
  optionalPaths: Object.freeze([]) as readonly string[],
  requiredPaths: Object.freeze([]) as readonly string[],
  hook: 'onRequest' as AuthHook,
})

export const MODES: readonly AuthMode[] = Object.freeze(['first', 'all'])
const KNOWN_KEYS = ['strategies', ...Object.keys(DEFAULTS)]
const NAME = /^[a-z][a-z0-9-]{0,31}$/
/** A challenge: auth-scheme token, then optional printable ASCII params. */
const CHALLENGE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+( [\x20-\x7e]+)?$/

const validate = new OptionValidator(PACKAGE)

export { validate as optionValidator }

function resolveStrategies(value: unknown): readonly AuthStrategy[] {
  if (!Array.isArray(value) || value.length === 0) {
    validate.fail('strategies', 'must be a non-empty array of AuthStrategy objects', value)
  }
  const names = new Set<string>()
  return Object.freeze(
    (value as unknown[]).map((item, index) => {
      const where = `strategies[${index}]`
      const strategy = validate.object(where, item)
      const name = validate.string(`${where}.name`, strategy.name, { pattern: NAME })
      validate.string(`${where}.challenge`, strategy.challenge, { pattern: CHALLENGE })
      validate.func(`${where}.authenticate`, strategy.authenticate)
      if (names.has(name)) validate.fail(`${where}.name`, 'is the name of another strategy; rename one', name)
      names.add(name)
      return strategy as unknown as AuthStrategy
    }),
  )
}

function pathList(option: string, value: unknown): readonly string[] {
  const paths = validate.stringList(option, value)
  paths.forEach((path, index) => {
    if (!path.startsWith('/')) validate.fail(`${option}[${index}]`, 'must start with "/"', path)
  })
  return Object.freeze(paths)
}

/** Validates the user's options and folds in the defaults; throws RAMPART_AUTH_INVALID_OPTION. */
export function resolveOptions(options: AuthOptions): ResolvedAuthOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, KNOWN_KEYS)
  const lists = {
    publicPaths: pathList('publicPaths', given.publicPaths ?? DEFAULTS.publicPaths),
    optionalPaths: pathList('optionalPaths', given.optionalPaths ?? DEFAULTS.optionalPaths),
    requiredPaths: pathList('requiredPaths', given.requiredPaths ?? DEFAULTS.requiredPaths),
  }
  const seen = new Map<string, string>()
  for (const [option, paths] of Object.entries(lists)) {
    paths.forEach((path, index) => {
      const normalised = normalizePath(path)
      const other = seen.get(normalised)
      if (other !== undefined) validate.fail(`${option}[${index}]`, `is also in ${other}`, path)
      seen.set(normalised, option)
    })
  }
  return Object.freeze({
    strategies: resolveStrategies(given.strategies),
    mode: validate.oneOf('mode', given.mode ?? DEFAULTS.mode, MODES),
    defaultPolicy: validate.oneOf('defaultPolicy', given.defaultPolicy ?? DEFAULTS.defaultPolicy, [
      'optional',
      'required',
    ] as const),
    ...lists,
    hook: validate.oneOf('hook', given.hook ?? DEFAULTS.hook, ['onRequest', 'preHandler'] as const),
  })
}

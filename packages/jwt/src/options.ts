import { normalizePath, OptionValidator } from '@rampart/core'
import { ASYMMETRIC_ALGORITHMS, type JwtAlgorithm } from './algorithms.js'
import type { JwtDenylist } from './denylist.js'
import { PACKAGE } from './errors.js'
import { JWKS_DEFAULTS, type JwksOptions, type ResolvedJwksOptions } from './jwks.js'
import { type JwtKey, type KeyEntry, type Keyring, KID_PATTERN, resolveKeyring } from './keys.js'

/** The cache of verified tokens. */
export interface JwtCacheOptions {
  /** Verified tokens kept (least recently used dropped first). Default 10,000. */
  maxEntries?: number
  /** Longest ms a verified token is trusted without a signature check; never past its `exp`. Default 300,000. */
  ttl?: number
}

/** The keys and claims tokens are signed with (the issuer), shared by the strategy. */
export interface TokenIssuerOptions {
  /** Shorthand for one HMAC key without a kid: `keys: [{ algorithm, secret }]`. At least 32/48/64 bytes for HS256/384/512. */
  secret?: string | Uint8Array
  /** Algorithm of `secret`. Default `'HS256'`. */
  algorithm?: JwtAlgorithm
  /** The keyring: `{ kid?, algorithm, secret | publicKey | privateKey }[]`; every key pinned to its algorithm. */
  keys?: readonly JwtKey[]
  /** `kid` of the key tokens are signed with. Default: the first key that can sign. */
  signingKid?: string
  /** Accepted `iss` values of tokens verified with `keys` (exact match); tokens are issued with the first. Default: not checked. */
  issuer?: string | readonly string[]
  /** Accepted `aud` values (one must match); tokens are issued with all of them. Default: not checked. */
  audience?: string | readonly string[]
  /** Claim holding the plan tier (read into `identity.tier`, written by `sign` from `identity.tier`). Default `'tier'`. */
  tierClaim?: string
  /** Lifetime of issued tokens, in seconds. Default 3600. */
  expiresIn?: number
  /** Clock in ms since the epoch (`iat`/`exp`, expiry checks, cache and JWKS timing). Default `Date.now`. */
  now?: () => number
}

/** Options of `createJwtStrategy`. */
export interface JwtStrategyOptions extends TokenIssuerOptions {
  /** The strategy's name (events, @rampart/auth route config `strategies`). Default `'jwt'`. */
  name?: string
  /** `realm` of the `WWW-Authenticate: Bearer` challenge. Default `'api'`. */
  realm?: string
  /** A JWKS to take keys from, by `kid`, for tokens whose `iss` is in `jwks.issuers`. Default none. */
  jwks?: JwksOptions
  /** Seconds of clock skew allowed on `exp` and `nbf`. Default 30. */
  clockTolerance?: number
  /** Refuse tokens without `exp` (they would never expire). Default `true`. */
  requireExpiration?: boolean
  /** Longer tokens are refused (401) without being parsed. Default 8192. */
  maxTokenLength?: number
  /** Cookie carrying the token (read when there is no `Authorization: Bearer`), or `false`. Default `'access_token'`. */
  cookie?: string | false
  /** Query parameter carrying the token (e.g. `'token'`, for WebSockets), or `false`. Default `false`. */
  query?: string | false
  /** `identity.tier` of tokens without the tier claim. Default none. */
  defaultTier?: string
  /** The cache of verified tokens, or `false`. Default: see `JwtCacheOptions`. */
  cache?: JwtCacheOptions | false
  /** Where revoked `jti`s are kept (`RedisDenylist` to share them). Default: a `MemoryDenylist` of 100,000. */
  denylist?: JwtDenylist
}

export type JwtHook = 'onRequest' | 'preHandler'

/** Options of the standalone plugin: the strategy's, plus which paths need a token. */
export interface JwtPluginOptions extends JwtStrategyOptions {
  /** Path prefixes that require a token (normalised, segment-aware). Default `['/']`: everything not public. */
  requiredPaths?: readonly string[]
  /** Path prefixes never checked. Default `['/health', '/metrics', '/docs', '/openapi.json']`. */
  publicPaths?: readonly string[]
  /** Hook that authenticates. Default `'onRequest'` (before the body is read). */
  hook?: JwtHook
}

export interface ResolvedCacheOptions {
  readonly maxEntries: number
  readonly ttl: number
}

export interface ResolvedIssuerOptions {
  readonly keyring: Keyring
  /** Empty: `iss` is not checked (tokens are issued without it). */
  readonly issuers: readonly string[]
  /** Empty: `aud` is not checked (tokens are issued without it). */
  readonly audiences: readonly string[]
  readonly tierClaim: string
  readonly expiresIn: number
  readonly now: () => number
}

export interface ResolvedStrategyOptions extends ResolvedIssuerOptions {
  readonly name: string
  readonly realm: string
  readonly jwks: ResolvedJwksOptions | undefined
  readonly clockTolerance: number
  readonly requireExpiration: boolean
  readonly maxTokenLength: number
  readonly cookie: string | false
  readonly query: string | false
  readonly defaultTier: string | undefined
  readonly cache: ResolvedCacheOptions | false
  /** `undefined`: the strategy makes a `MemoryDenylist` on its clock. */
  readonly denylist: JwtDenylist | undefined
}

export interface ResolvedPluginOptions extends ResolvedStrategyOptions {
  readonly requiredPaths: readonly string[]
  readonly publicPaths: readonly string[]
  readonly hook: JwtHook
}

export const CACHE_DEFAULTS: ResolvedCacheOptions = Object.freeze({ maxEntries: 10_000, ttl: 300_000 })

export const DEFAULTS = Object.freeze({
  name: 'jwt',
  realm: 'api',
  algorithm: 'HS256' as JwtAlgorithm,
  clockTolerance: 30,
  requireExpiration: true,
  maxTokenLength: 8192,
  cookie: 'access_token' as string | false,
  query: false as string | false,
  tierClaim: 'tier',
  cache: CACHE_DEFAULTS,
  expiresIn: 3600,
  now: Date.now,
  jwks: JWKS_DEFAULTS,
  requiredPaths: Object.freeze(['/']) as readonly string[],
  publicPaths: Object.freeze(['/health', '/metrics', '/docs', '/openapi.json']) as readonly string[],
  hook: 'onRequest' as JwtHook,
})

const ISSUER_KEYS = ['secret', 'algorithm', 'keys', 'signingKid', 'issuer', 'audience', 'tierClaim', 'expiresIn', 'now']
const STRATEGY_KEYS = [
  ...ISSUER_KEYS,
  'name',
  'realm',
  'jwks',
  'clockTolerance',
  'requireExpiration',
  'maxTokenLength',
  'cookie',
  'query',
  'defaultTier',
  'cache',
  'denylist',
]
const PLUGIN_KEYS = [...STRATEGY_KEYS, 'requiredPaths', 'publicPaths', 'hook']

const NAME = /^[a-z][a-z0-9-]{0,31}$/
/** Safe inside a quoted-string without escapes. */
const QUOTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/
/** A cookie name (RFC 6265 token). */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/
const QUERY_NAME = /^[A-Za-z0-9_.-]{1,64}$/
const CLAIM_NAME = /^[\x21-\x7e]{1,64}$/
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

const validate = new OptionValidator(PACKAGE)

export { validate as optionValidator }

function fail(where: string, problem: string, ...value: [unknown?]): never {
  return validate.fail(where, problem, ...value)
}

/** A string or a non-empty list of non-empty strings, as a list. */
function stringOrList(option: string, value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([])
  if (typeof value === 'string') return Object.freeze([validate.string(option, value)])
  const list = validate.stringList(option, value)
  if (list.length === 0) fail(option, 'must not be an empty list (leave it out to not check it)')
  return Object.freeze(list)
}

function resolveKeyEntries(given: Record<string, unknown>): KeyEntry[] {
  if (given.secret !== undefined) {
    if (given.keys !== undefined) fail('secret', 'and `keys` are both given; put the secret in `keys` instead')
    const algorithm = given.algorithm ?? DEFAULTS.algorithm
    return [{ where: 'secret', entry: { algorithm, secret: given.secret }, field: (name) => name }]
  }
  if (given.algorithm !== undefined) fail('algorithm', 'goes with `secret`; each of `keys` has its own algorithm')
  if (given.keys === undefined) return []
  if (!Array.isArray(given.keys)) fail('keys', 'must be an array of keys', given.keys)
  const keys = given.keys as unknown[]
  if (keys.length > 64) fail('keys', 'must hold at most 64 keys')
  return keys.map((entry, index) => ({ where: `keys[${index}]`, entry, field: (name) => `keys[${index}].${name}` }))
}

function resolveIssuer(given: Record<string, unknown>): ResolvedIssuerOptions {
  const signingKid =
    given.signingKid === undefined
      ? undefined
      : validate.string('signingKid', given.signingKid, { pattern: KID_PATTERN })
  const keyring = resolveKeyring(fail, resolveKeyEntries(given), signingKid)
  return {
    keyring,
    issuers: stringOrList('issuer', given.issuer),
    audiences: stringOrList('audience', given.audience),
    tierClaim: validate.string('tierClaim', given.tierClaim ?? DEFAULTS.tierClaim, { pattern: CLAIM_NAME }),
    expiresIn: validate.integer('expiresIn', given.expiresIn ?? DEFAULTS.expiresIn, { min: 1, max: 31_536_000 }),
    now: validate.func<() => number>('now', given.now ?? DEFAULTS.now),
  }
}

function resolveJwks(value: unknown): ResolvedJwksOptions | undefined {
  if (value === undefined) return undefined
  const given = validate.object('jwks', value)
  validate.knownKeys('jwks', given, ['uri', 'issuers', 'algorithms', 'ttl', 'cooldown', 'timeout'])
  const uri = validate.string('jwks.uri', given.uri)
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return fail('jwks.uri', 'must be an absolute URL', uri)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    fail('jwks.uri', 'must be https: (http: only to 127.0.0.1, ::1 or localhost)', uri)
  }
  const issuers = validate.stringList('jwks.issuers', given.issuers)
  if (issuers.length === 0) fail('jwks.issuers', 'must list the issuers whose tokens the JWKS keys may verify')
  const algorithms = validate.stringList('jwks.algorithms', given.algorithms ?? JWKS_DEFAULTS.algorithms)
  if (algorithms.length === 0) fail('jwks.algorithms', 'must not be empty')
  algorithms.forEach((algorithm, index) => {
    if (!ASYMMETRIC_ALGORITHMS.includes(algorithm as JwtAlgorithm)) {
      fail(`jwks.algorithms[${index}]`, `must be one of ${ASYMMETRIC_ALGORITHMS.join(', ')}`, algorithm)
    }
  })
  return Object.freeze({
    uri: url.href,
    issuers: Object.freeze(issuers),
    algorithms: Object.freeze(algorithms as JwtAlgorithm[]),
    ttl: validate.integer('jwks.ttl', given.ttl ?? JWKS_DEFAULTS.ttl, { min: 1000, max: 86_400_000 }),
    cooldown: validate.integer('jwks.cooldown', given.cooldown ?? JWKS_DEFAULTS.cooldown, {
      min: 1000,
      max: 3_600_000,
    }),
    timeout: validate.integer('jwks.timeout', given.timeout ?? JWKS_DEFAULTS.timeout, { min: 100, max: 60_000 }),
  })
}

function resolveCache(value: unknown): ResolvedCacheOptions | false {
  if (value === false) return false
  const given = validate.object('cache', value)
  validate.knownKeys('cache', given, Object.keys(CACHE_DEFAULTS))
  return Object.freeze({
    maxEntries: validate.integer('cache.maxEntries', given.maxEntries ?? CACHE_DEFAULTS.maxEntries, {
      min: 1,
      max: 10_000_000,
    }),
    ttl: validate.integer('cache.ttl', given.ttl ?? CACHE_DEFAULTS.ttl, { min: 1, max: 86_400_000 }),
  })
}

function resolveDenylist(value: unknown): JwtDenylist | undefined {
  if (value === undefined) return undefined
  const denylist = validate.object('denylist', value)
  validate.func('denylist.add', denylist.add)
  validate.func('denylist.has', denylist.has)
  if (denylist.close !== undefined) validate.func('denylist.close', denylist.close)
  return denylist as unknown as JwtDenylist
}

function nameOrFalse(option: string, value: unknown, pattern: RegExp): string | false {
  return value === false ? false : validate.string(option, value, { pattern })
}

function resolveStrategy(given: Record<string, unknown>): ResolvedStrategyOptions {
  const issuer = resolveIssuer(given)
  const jwks = resolveJwks(given.jwks)
  if (issuer.keyring.size === 0 && jwks === undefined) {
    fail('keys', 'are missing: give `secret`, `keys` or `jwks`, or no token could ever be verified')
  }
  const defaultTier = given.defaultTier === undefined ? undefined : validate.string('defaultTier', given.defaultTier)
  return {
    ...issuer,
    name: validate.string('name', given.name ?? DEFAULTS.name, { pattern: NAME }),
    realm: validate.string('realm', given.realm ?? DEFAULTS.realm, { pattern: QUOTABLE }),
    jwks,
    clockTolerance: validate.integer('clockTolerance', given.clockTolerance ?? DEFAULTS.clockTolerance, {
      min: 0,
      max: 300,
    }),
    requireExpiration: validate.boolean('requireExpiration', given.requireExpiration ?? DEFAULTS.requireExpiration),
    maxTokenLength: validate.integer('maxTokenLength', given.maxTokenLength ?? DEFAULTS.maxTokenLength, {
      min: 256,
      max: 65_536,
    }),
    cookie: nameOrFalse('cookie', given.cookie ?? DEFAULTS.cookie, COOKIE_NAME),
    query: nameOrFalse('query', given.query ?? DEFAULTS.query, QUERY_NAME),
    defaultTier,
    cache: resolveCache(given.cache ?? DEFAULTS.cache),
    denylist: resolveDenylist(given.denylist),
  }
}

/** Validates the options of `createTokenIssuer`; throws RAMPART_JWT_INVALID_OPTION. */
export function resolveIssuerOptions(options: TokenIssuerOptions): ResolvedIssuerOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, ISSUER_KEYS)
  const resolved = resolveIssuer(given)
  if (resolved.keyring.signing === undefined) {
    fail('keys', 'have no key that can sign: give `secret`, or a key with a `secret` or `privateKey`')
  }
  return Object.freeze(resolved)
}

/** Validates the options of `createJwtStrategy`; throws RAMPART_JWT_INVALID_OPTION. */
export function resolveStrategyOptions(options: JwtStrategyOptions): ResolvedStrategyOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, STRATEGY_KEYS)
  return Object.freeze(resolveStrategy(given))
}

function pathList(option: string, value: unknown): readonly string[] {
  const paths = validate.stringList(option, value)
  paths.forEach((path, index) => {
    if (!path.startsWith('/')) fail(`${option}[${index}]`, 'must start with "/"', path)
  })
  return Object.freeze(paths)
}

/** Validates the options of the standalone plugin; throws RAMPART_JWT_INVALID_OPTION. */
export function resolveOptions(options: JwtPluginOptions): ResolvedPluginOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, PLUGIN_KEYS)
  const requiredPaths = pathList('requiredPaths', given.requiredPaths ?? DEFAULTS.requiredPaths)
  const publicPaths = pathList('publicPaths', given.publicPaths ?? DEFAULTS.publicPaths)
  const publicSet = new Set(publicPaths.map((path) => normalizePath(path)))
  requiredPaths.forEach((path, index) => {
    if (publicSet.has(normalizePath(path))) fail(`requiredPaths[${index}]`, 'is also in publicPaths', path)
  })
  return Object.freeze({
    ...resolveStrategy(given),
    requiredPaths,
    publicPaths,
    hook: validate.oneOf('hook', given.hook ?? DEFAULTS.hook, ['onRequest', 'preHandler'] as const),
  })
}

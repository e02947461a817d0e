import { normalizePath, OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'
import { digestApiKey, HASH_PATTERN, type Pepper } from './hashing.js'
import { type ApiKeyDefinition, type ApiKeyRecord, type ResolvedKey, resolveRecord } from './records.js'
import type { ApiKeyStore } from './store.js'

/** Looks a presented key up yourself: the record it grants, or `null`/`undefined` for an unknown key. */
export type ApiKeyValidator = (
  key: string,
) => ApiKeyRecord | null | undefined | Promise<ApiKeyRecord | null | undefined>

/** The cache of `store` / `validate` answers, keyed by key hash (never the key). */
export interface ApiKeyCacheOptions {
  /** Known keys kept (least recently used dropped first). Default 10,000. */
  maxEntries?: number
  /** How long a known key is trusted without asking again, in ms (also: how long a revoked key may still work). Default 60,000. */
  ttl?: number
  /** Unknown keys remembered, in a separate bound so a flood of random keys never evicts known ones. Default 10,000. */
  negativeMaxEntries?: number
  /** How long an unknown key is answered without asking again, in ms. Default 10,000. */
  negativeTtl?: number
}

/** Options of `createApiKeyStrategy`. */
export interface ApiKeyStrategyOptions {
  /** The strategy's name (events, route config `strategies`). Default `'api-key'`. */
  name?: string
  /** Request header carrying the key. Default `'X-API-Key'`. */
  header?: string
  /** Query parameter also accepted (e.g. `'api_key'`), or `false`. Keys in URLs end up in logs and histories. Default `false`. */
  query?: string | false
  /** `realm` of the `WWW-Authenticate: ApiKey` challenge. Default `'api'`. */
  realm?: string
  /** Keys known at start: `{ id, owner, scopes?, tier?, expiresAt?, hash | key }`. Default none. */
  keys?: readonly ApiKeyDefinition[]
  /** Server secret (>= 16 bytes): hashes are HMAC-SHA-256 with it instead of SHA-256. Default none. */
  pepper?: Pepper
  /** Asked (by key hash) for keys not in `keys`; answers cached. Default none. */
  store?: ApiKeyStore
  /** Asked (with the key) for keys neither in `keys` nor in `store`; answers cached. Default none. */
  validate?: ApiKeyValidator
  /** The cache of `store` and `validate` answers, or `false` for none. Default: see `ApiKeyCacheOptions`. */
  cache?: ApiKeyCacheOptions | false
  /** Longer keys are refused (401) without hashing. Default 256. */
  maxKeyLength?: number
  /** Clock in ms since the epoch (cache TTLs, `expiresAt`). Default `Date.now`. */
  now?: () => number
}

export type ApiKeyHook = 'onRequest' | 'preHandler'

/** Options of the standalone plugin: the strategy's, plus which paths need a key. */
export interface ApiKeyPluginOptions extends ApiKeyStrategyOptions {
  /** Path prefixes that require a key (normalised, segment-aware). Default `['/']`: everything not public. */
  requiredPaths?: readonly string[]
  /** Path prefixes never checked. Default `['/health', '/metrics', '/docs', '/openapi.json']`. */
  publicPaths?: readonly string[]
  /** Hook that authenticates. Default `'onRequest'` (before the body is read). */
  hook?: ApiKeyHook
}

export interface ResolvedCacheOptions {
  readonly maxEntries: number
  readonly ttl: number
  readonly negativeMaxEntries: number
  readonly negativeTtl: number
}

/** A key of the `keys` option: its digest (for the constant-time check) and its record. */
export interface StaticKey {
  readonly digest: Buffer
  readonly key: ResolvedKey
}

export interface ResolvedStrategyOptions {
  readonly name: string
  /** Header name as given (for the challenge) and lowercased (for lookups). */
  readonly header: string
  readonly headerLower: string
  readonly query: string | false
  readonly realm: string
  /** The `keys` option by hex hash. */
  readonly keys: ReadonlyMap<string, StaticKey>
  readonly pepper: Pepper | undefined
  readonly store: ApiKeyStore | undefined
  readonly validate: ApiKeyValidator | undefined
  readonly cache: ResolvedCacheOptions | false
  readonly maxKeyLength: number
  readonly now: () => number
}

export interface ResolvedPluginOptions extends ResolvedStrategyOptions {
  readonly requiredPaths: readonly string[]
  readonly publicPaths: readonly string[]
  readonly hook: ApiKeyHook
}

export const CACHE_DEFAULTS: ResolvedCacheOptions = Object.freeze({
  maxEntries: 10_000,
  ttl: 60_000,
  negativeMaxEntries: 10_000,
  negativeTtl: 10_000,
})

export const DEFAULTS = Object.freeze({
  name: 'api-key',
  header: 'X-API-Key',
  query: false as string | false,
  realm: 'api',
  keys: Object.freeze([]) as readonly ApiKeyDefinition[],
  cache: CACHE_DEFAULTS,
  maxKeyLength: 256,
  now: Date.now,
  requiredPaths: Object.freeze(['/']),
  publicPaths: Object.freeze(['/health', '/metrics', '/docs', '/openapi.json']),
  hook: 'onRequest' as ApiKeyHook,
})

const STRATEGY_KEYS = [
  'name',
  'header',
  'query',
  'realm',
  'keys',
  'pepper',
  'store',
  'validate',
  'cache',
  'maxKeyLength',
  'now',
]
const PLUGIN_KEYS = [...STRATEGY_KEYS, 'requiredPaths', 'publicPaths', 'hook']

/** An HTTP field name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** Safe inside a quoted-string without escapes. */
const QUOTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/
const NAME = /^[a-z][a-z0-9-]{0,31}$/
/** What a key may contain: visible ASCII, no spaces or commas (two joined headers are never one key). */
export const KEY_PATTERN: RegExp = /^[\x21-\x2b\x2d-\x7e]+$/
const RESERVED_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'host']

const validate = new OptionValidator(PACKAGE)

export { validate as optionValidator }

function resolveCache(value: unknown): ResolvedCacheOptions | false {
  if (value === false) return false
  const given = validate.object('cache', value)
  validate.knownKeys('cache', given, Object.keys(CACHE_DEFAULTS))
  const size = { min: 1, max: 10_000_000 }
  const ttl = { min: 1, max: 86_400_000 }
  return Object.freeze({
    maxEntries: validate.integer('cache.maxEntries', given.maxEntries ?? CACHE_DEFAULTS.maxEntries, size),
    ttl: validate.integer('cache.ttl', given.ttl ?? CACHE_DEFAULTS.ttl, ttl),
    negativeMaxEntries: validate.integer(
      'cache.negativeMaxEntries',
      given.negativeMaxEntries ?? CACHE_DEFAULTS.negativeMaxEntries,
      size,
    ),
    negativeTtl: validate.integer('cache.negativeTtl', given.negativeTtl ?? CACHE_DEFAULTS.negativeTtl, ttl),
  })
}

function resolvePepper(value: unknown): Pepper | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') {
    if (Buffer.byteLength(value) < 16) validate.fail('pepper', 'must be at least 16 bytes long')
    return value
  }
  if (value instanceof Uint8Array) {
    if (value.byteLength < 16) validate.fail('pepper', 'must be at least 16 bytes long')
    return Buffer.from(value)
  }
  return validate.fail('pepper', 'must be a string or a Uint8Array', value)
}

function resolveKeys(value: unknown, pepper: Pepper | undefined, maxKeyLength: number): Map<string, StaticKey> {
  if (!Array.isArray(value)) validate.fail('keys', 'must be an array of key records', value)
  const keys = new Map<string, StaticKey>()
  const ids = new Set<string>()
  const fail = (where: string, problem: string, ...got: [unknown?]): never => validate.fail(where, problem, ...got)
  ;(value as unknown[]).forEach((entry, index) => {
    const where = `keys[${index}]`
    const key = resolveRecord(fail, where, entry, ['hash', 'key'])
    const definition = entry as ApiKeyDefinition
    if ((definition.hash === undefined) === (definition.key === undefined)) {
      validate.fail(where, 'must have exactly one of `hash` (preferred) and `key`')
    }
    let hash: string
    if (definition.key !== undefined) {
      const plain = definition.key
      if (typeof plain !== 'string' || plain.length < 16 || plain.length > maxKeyLength || !KEY_PATTERN.test(plain)) {
        validate.fail(
          `${where}.key`,
          `must be 16..${maxKeyLength} visible ASCII characters without spaces or commas (generateApiKey() makes one)`,
        )
      }
      hash = digestApiKey(plain, pepper).toString('hex')
    } else {
      const given = definition.hash
      if (typeof given !== 'string' || !HASH_PATTERN.test(given.toLowerCase())) {
        validate.fail(`${where}.hash`, 'must be 64 hex characters (hashApiKey / generateApiKey)', given)
      }
      hash = (given as string).toLowerCase()
    }
    if (ids.has(key.id)) validate.fail(`${where}.id`, 'is the id of another key', key.id)
    if (keys.has(hash)) validate.fail(where, `has the same key as keys with id ${keys.get(hash)?.key.id}`)
    ids.add(key.id)
    keys.set(hash, Object.freeze({ digest: Buffer.from(hash, 'hex'), key }))
  })
  return keys
}

function resolveStrategy(given: Record<string, unknown>): ResolvedStrategyOptions {
  const header = validate.string('header', given.header ?? DEFAULTS.header, { pattern: TOKEN })
  if (RESERVED_HEADERS.includes(header.toLowerCase())) {
    validate.fail('header', `must not be ${header}: other schemes use it`, header)
  }
  const queryOption = given.query ?? DEFAULTS.query
  const query =
    queryOption === false ? false : validate.string('query', queryOption, { pattern: /^[A-Za-z0-9_.-]{1,64}$/ })
  const maxKeyLength = validate.integer('maxKeyLength', given.maxKeyLength ?? DEFAULTS.maxKeyLength, {
    min: 16,
    max: 4096,
  })
  const pepper = resolvePepper(given.pepper)
  const keys = resolveKeys(given.keys ?? DEFAULTS.keys, pepper, maxKeyLength)
  let store: ApiKeyStore | undefined
  if (given.store !== undefined) {
    store = validate.object('store', given.store) as unknown as ApiKeyStore
    validate.func('store.find', store.find)
  }
  const validator =
    given.validate === undefined ? undefined : validate.func<ApiKeyValidator>('validate', given.validate)
  if (keys.size === 0 && store === undefined && validator === undefined) {
    validate.fail('keys', 'is empty and there is no `store` or `validate`: no key could ever be accepted')
  }
  return {
    name: validate.string('name', given.name ?? DEFAULTS.name, { pattern: NAME }),
    header,
    headerLower: header.toLowerCase(),
    query,
    realm: validate.string('realm', given.realm ?? DEFAULTS.realm, { pattern: QUOTABLE }),
    keys,
    pepper,
    store,
    validate: validator,
    cache: resolveCache(given.cache ?? DEFAULTS.cache),
    maxKeyLength,
    now: validate.func<() => number>('now', given.now ?? DEFAULTS.now),
  }
}

/** Validates the options of `createApiKeyStrategy`; throws RAMPART_API_KEY_INVALID_OPTION. */
export function resolveStrategyOptions(options: ApiKeyStrategyOptions): ResolvedStrategyOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, STRATEGY_KEYS)
  return Object.freeze(resolveStrategy(given))
}

function pathList(option: string, value: unknown): readonly string[] {
  const paths = validate.stringList(option, value)
  paths.forEach((path, index) => {
    if (!path.startsWith('/')) validate.fail(`${option}[${index}]`, 'must start with "/"', path)
  })
  return Object.freeze(paths)
}

/** Validates the options of the standalone plugin; throws RAMPART_API_KEY_INVALID_OPTION. */
export function resolveOptions(options: ApiKeyPluginOptions): ResolvedPluginOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, PLUGIN_KEYS)
  const requiredPaths = pathList('requiredPaths', given.requiredPaths ?? DEFAULTS.requiredPaths)
  const publicPaths = pathList('publicPaths', given.publicPaths ?? DEFAULTS.publicPaths)
  const publicSet = new Set(publicPaths.map((path) => normalizePath(path)))
  requiredPaths.forEach((path, index) => {
    if (publicSet.has(normalizePath(path))) validate.fail(`requiredPaths[${index}]`, 'is also in publicPaths', path)
  })
  return Object.freeze({
    ...resolveStrategy(given),
    requiredPaths,
    publicPaths,
    hook: validate.oneOf('hook', given.hook ?? DEFAULTS.hook, ['onRequest', 'preHandler'] as const),
  })
}

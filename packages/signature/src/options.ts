import { normalizePath, OptionValidator } from '@rampart/core'
import {
  type RedisClient,
  type RedisConnectionOptions,
  type ResolvedRedisConnectionOptions,
  resolveRedisConnectionOptions,
} from '@rampart/redis'
import { PACKAGE } from './errors.js'
import { KEY_ID_PATTERN } from './headers.js'
import { MEMORY_STORE_DEFAULTS, type NonceStore } from './nonce-store.js'
import { PREFIX_PATTERN, REDIS_STORE_DEFAULTS } from './redis-nonce-store.js'

/** A signing secret: a string (its UTF-8 bytes) or bytes; at least 32 bytes either way. */
export type SigningSecret = string | Uint8Array

/** Options of @rampart/signature. */
export interface SignatureOptions {
  /**
   * The signing keys, `{ keyId: secret }`. Several keys at once allow rotation: add the new key,
   * move clients to it, then remove the old one. Ids: 1-64 of `A-Z a-z 0-9 . _ ~ -`; secrets:
   * at least 32 bytes. Required.
   */
  keys: Readonly<Record<string, SigningSecret>> | ReadonlyMap<string, SigningSecret>
  /**
   * Where a signature is required (401 without one): `true` everywhere except `publicPaths`, a list
   * of path prefixes (normalised, segment-aware), or `false` nowhere. Elsewhere a signature is
   * verified when one is sent, and a bad one is refused all the same. Per route:
   * `config.rampart.signature`. Default `true`.
   */
  required?: boolean | readonly string[]
  /** Path prefixes where signature headers are never looked at. Default `['/health', '/metrics', '/docs', '/openapi.json']`. */
  publicPaths?: readonly string[]
  /** How far, in seconds, a timestamp may be from the server's clock, either way. Default 300. */
  tolerance?: number
  /** Your own nonce store (see `NonceStore`). Default: a `MemoryNonceStore`, or Redis when `redis` is given. */
  nonceStore?: NonceStore
  /** Redis for nonces, shared by every instance: a URL, an ioredis client, or `{ client | url, commandTimeout }`. Default: none (memory). */
  redis?: string | RedisClient | RedisConnectionOptions
  /** Prefix of the nonce keys in Redis. Default `'rampart:signature:nonce:'`. */
  redisPrefix?: string
  /** Nonces the memory store holds at most (see `MemoryNonceStore`). Default 100,000. */
  maxNonces?: number
  /** `realm` of the `WWW-Authenticate` challenge sent with every 401. Default `'api'`. */
  realm?: string
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

/** How nonces are stored, after validation. */
export type ResolvedNonceStore =
  | { readonly kind: 'memory'; readonly maxEntries: number }
  | { readonly kind: 'redis'; readonly redis: ResolvedRedisConnectionOptions; readonly prefix: string }
  | { readonly kind: 'custom'; readonly store: NonceStore }

/** The options after defaults and validation, frozen at register. */
export interface ResolvedSignatureOptions {
  readonly keys: ReadonlyMap<string, Buffer>
  /** `true`, `false`, or the required path prefixes. */
  readonly required: boolean | readonly string[]
  readonly publicPaths: readonly string[]
  readonly tolerance: number
  readonly nonceStore: ResolvedNonceStore
  readonly realm: string
  readonly now: () => number
}

export const DEFAULTS = Object.freeze({
  required: true as boolean | readonly string[],
  publicPaths: Object.freeze(['/health', '/metrics', '/docs', '/openapi.json']) as readonly string[],
  tolerance: 300,
  redisPrefix: REDIS_STORE_DEFAULTS.prefix,
  maxNonces: MEMORY_STORE_DEFAULTS.maxEntries,
  realm: 'api',
  now: Date.now as () => number,
})

const KNOWN = [
  'keys',
  'required',
  'publicPaths',
  'tolerance',
  'nonceStore',
  'redis',
  'redisPrefix',
  'maxNonces',
  'realm',
  'now',
]

/** Safe inside a quoted-string without escapes. */
const QUOTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/
/** Shortest secret accepted: HMAC-SHA256's output size, as RFC 2104 advises. */
export const MIN_SECRET_BYTES = 32

const validate = new OptionValidator(PACKAGE)

function resolveKeys(value: unknown): Map<string, Buffer> {
  const entries =
    value instanceof Map ? [...(value as Map<unknown, unknown>)] : Object.entries(validate.object('keys', value))
  const keys = new Map<string, Buffer>()
  for (const [given, secret] of entries) {
    if (typeof given !== 'string') validate.fail('keys', 'must have string key ids', given)
    const id = given as string
    const where = `keys.${id}`
    if (!KEY_ID_PATTERN.test(id)) validate.fail(where, `has an id that does not match ${KEY_ID_PATTERN}`)
    let bytes: Buffer
    if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8')
    else if (secret instanceof Uint8Array) bytes = Buffer.from(secret)
    else return validate.fail(where, 'must be a string or a Uint8Array', secret)
    if (bytes.length < MIN_SECRET_BYTES) {
      validate.fail(where, `must be at least ${MIN_SECRET_BYTES} bytes long (openssl rand -hex 32 makes one)`)
    }
    keys.set(id, bytes)
  }
  if (keys.size === 0) validate.fail('keys', 'needs at least one key: no signature could ever be accepted')
  return keys
}

function pathList(option: string, value: unknown): readonly string[] {
  const paths = validate.stringList(option, value)
  paths.forEach((path, index) => {
    if (!path.startsWith('/')) validate.fail(`${option}[${index}]`, 'must start with "/"', path)
  })
  return Object.freeze(paths)
}

function resolveNonceStore(given: Record<string, unknown>): ResolvedNonceStore {
  if (given.nonceStore !== undefined) {
    if (given.redis !== undefined) validate.fail('nonceStore', 'and `redis` exclude each other: give one')
    const store = validate.object('nonceStore', given.nonceStore)
    validate.func('nonceStore.remember', store.remember)
    if (store.close !== undefined) validate.func('nonceStore.close', store.close)
  }
  if (given.redis === undefined && given.redisPrefix !== undefined) {
    validate.fail('redisPrefix', 'is only used with `redis`')
  }
  if (given.maxNonces !== undefined && (given.redis !== undefined || given.nonceStore !== undefined)) {
    validate.fail('maxNonces', 'bounds the memory store only; it is not used with `redis` or `nonceStore`')
  }
  if (given.nonceStore !== undefined) return Object.freeze({ kind: 'custom', store: given.nonceStore as NonceStore })
  if (given.redis !== undefined) {
    return Object.freeze({
      kind: 'redis',
      redis: resolveRedisConnectionOptions(PACKAGE, 'redis', given.redis),
      prefix: validate.string('redisPrefix', given.redisPrefix ?? DEFAULTS.redisPrefix, {
        nonEmpty: false,
        pattern: PREFIX_PATTERN,
      }),
    })
  }
  return Object.freeze({
    kind: 'memory',
    maxEntries: validate.integer('maxNonces', given.maxNonces ?? DEFAULTS.maxNonces, { min: 1, max: 10_000_000 }),
  })
}

/** Validates the user's options and folds in the defaults; throws RAMPART_SIGNATURE_INVALID_OPTION. */
export function resolveOptions(options: SignatureOptions): ResolvedSignatureOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, KNOWN)
  if (given.keys === undefined) validate.fail('keys', 'is required: `{ keyId: secret }`')
  const keys = resolveKeys(given.keys)

  const publicPaths = pathList('publicPaths', given.publicPaths ?? DEFAULTS.publicPaths)
  const requiredOption = given.required ?? DEFAULTS.required
  let required: boolean | readonly string[]
  if (typeof requiredOption === 'boolean') required = requiredOption
  else if (Array.isArray(requiredOption)) {
    required = pathList('required', requiredOption)
    const publicSet = new Set(publicPaths.map((path) => normalizePath(path)))
    required.forEach((path, index) => {
      if (publicSet.has(normalizePath(path))) validate.fail(`required[${index}]`, 'is also in publicPaths', path)
    })
  } else return validate.fail('required', 'must be true, false or a list of path prefixes', requiredOption)

  return Object.freeze({
    keys,
    required,
    publicPaths,
    tolerance: validate.integer('tolerance', given.tolerance ?? DEFAULTS.tolerance, { min: 1, max: 3600 }),
    nonceStore: resolveNonceStore(given),
    realm: validate.string('realm', given.realm ?? DEFAULTS.realm, { pattern: QUOTABLE }),
    now: validate.func<() => number>('now', given.now ?? DEFAULTS.now),
  })
}

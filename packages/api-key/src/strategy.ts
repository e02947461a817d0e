import type { AuthOutcome, AuthStrategy } from '@rampart/core'
import { quoted } from '@rampart/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ExpiringLruCache } from './cache.js'
import { InvalidRecordError, LookupFailedError } from './errors.js'
import { digestApiKey, digestsEqual, hashApiKey } from './hashing.js'
import {
  type ApiKeyStrategyOptions,
  KEY_PATTERN,
  type ResolvedStrategyOptions,
  resolveStrategyOptions,
} from './options.js'
import { type RecordFailure, type ResolvedKey, resolveRecord } from './records.js'

/** The `AuthStrategy` of API keys, plus cache control for revocations. */
export interface ApiKeyStrategy extends AuthStrategy {
  /** `'api-key'` unless renamed. */
  readonly name: string
  /** `ApiKey realm="api", header="X-API-Key"`. */
  readonly challenge: string
  /** The request header read (as configured). */
  readonly header: string
  /** Absent (no key), authenticated (identity of the key's owner) or invalid (malformed, unknown, expired). */
  authenticate(request: FastifyRequest): AuthOutcome | Promise<AuthOutcome>
  /** The hash this strategy stores and looks up for `key` (with its pepper). */
  hash(key: string): string
  /** Drops one key (by hash) from the cache, e.g. right after revoking it in the store. */
  forget(hash: string): void
  /** Drops every cached answer. */
  clearCache(): void
  /** Entries in the cache of known and of unknown keys. */
  readonly cacheSize: { readonly known: number; readonly unknown: number }
}

const ABSENT: AuthOutcome = Object.freeze({ status: 'absent' })

function invalid(error: string, description: string): AuthOutcome {
  return Object.freeze({ status: 'invalid', error, description })
}

const MALFORMED = invalid('invalid_request', 'malformed API key')
const AMBIGUOUS = invalid('invalid_request', 'API key sent more than once')
const UNKNOWN = invalid('invalid_token', 'unknown API key')
const EXPIRED = invalid('invalid_token', 'expired API key')

const failLookup: RecordFailure = (where, problem) => {
  throw new InvalidRecordError(`${where} ${problem}`)
}

class ApiKeyAuthenticator implements ApiKeyStrategy {
  readonly name: string
  readonly challenge: string
  readonly header: string
  readonly #settings: ResolvedStrategyOptions
  readonly #dynamic: boolean
  readonly #known: ExpiringLruCache<ResolvedKey> | undefined
  readonly #unknown: ExpiringLruCache<true> | undefined
  /** One lookup per hash at a time: concurrent requests with one key share it. */
  readonly #inFlight = new Map<string, Promise<AuthOutcome>>()

  constructor(settings: ResolvedStrategyOptions) {
    this.#settings = settings
    this.name = settings.name
    this.header = settings.header
    this.challenge = `ApiKey realm=${quoted(settings.realm)}, header=${quoted(settings.header)}`
    this.#dynamic = settings.store !== undefined || settings.validate !== undefined
    if (this.#dynamic && settings.cache !== false) {
      const { maxEntries, ttl, negativeMaxEntries, negativeTtl } = settings.cache
      this.#known = new ExpiringLruCache(maxEntries, ttl, settings.now)
      this.#unknown = new ExpiringLruCache(negativeMaxEntries, negativeTtl, settings.now)
    }
  }

  get cacheSize(): { known: number; unknown: number } {
    return { known: this.#known?.size ?? 0, unknown: this.#unknown?.size ?? 0 }
  }

  hash(key: string): string {
    return hashApiKey(key, this.#settings.pepper)
  }

  forget(hash: string): void {
    const lower = hash.toLowerCase()
    this.#known?.delete(lower)
    this.#unknown?.delete(lower)
  }

  clearCache(): void {
    this.#known?.clear()
    this.#unknown?.clear()
  }

  /** The presented key, `undefined` when none, or an invalid outcome when it cannot be one key. */
  #extract(request: FastifyRequest): string | AuthOutcome | undefined {
    const fromHeader = request.headers[this.#settings.headerLower]
    let fromQuery: unknown
    if (this.#settings.query !== false) {
      const query = request.query as Record<string, unknown> | null | undefined
      fromQuery = query?.[this.#settings.query]
    }
    if (fromHeader === undefined) {
      if (fromQuery === undefined) return undefined
      return typeof fromQuery === 'string' ? fromQuery : AMBIGUOUS
    }
    if (fromQuery !== undefined || typeof fromHeader !== 'string') return AMBIGUOUS
    return fromHeader
  }

  authenticate(request: FastifyRequest): AuthOutcome | Promise<AuthOutcome> {
    const key = this.#extract(request)
    if (key === undefined) return ABSENT
    if (typeof key !== 'string') return key
    if (key.length === 0 || key.length > this.#settings.maxKeyLength || !KEY_PATTERN.test(key)) return MALFORMED
    const digest = digestApiKey(key, this.#settings.pepper)
    const hash = digest.toString('hex')
    const known = this.#settings.keys.get(hash)
    if (known !== undefined) return digestsEqual(known.digest, digest) ? this.#live(known.key) : UNKNOWN
    if (!this.#dynamic) return UNKNOWN
    const cached = this.#known?.get(hash)
    if (cached !== undefined) return this.#live(cached)
    if (this.#unknown?.get(hash) === true) return UNKNOWN
    let pending = this.#inFlight.get(hash)
    if (pending === undefined) {
      pending = this.#lookup(key, hash)
      this.#inFlight.set(hash, pending)
      const settle = () => this.#inFlight.delete(hash)
      pending.then(settle, settle)
    }
    return pending
  }

  #live(key: ResolvedKey): AuthOutcome {
    return key.expiresAt !== undefined && this.#settings.now() >= key.expiresAt ? EXPIRED : key.outcome
  }

  async #lookup(key: string, hash: string): Promise<AuthOutcome> {
    let found: unknown = null
    const { store, validate } = this.#settings
    try {
      if (store !== undefined) found = await store.find(hash)
      if ((found === null || found === undefined) && validate !== undefined) found = await validate(key)
    } catch (error) {
      throw new LookupFailedError(error instanceof Error ? error.message : String(error), { cause: error })
    }
    if (found === null || found === undefined) {
      this.#unknown?.set(hash, true)
      return UNKNOWN
    }
    let resolved: ResolvedKey
    try {
      resolved = resolveRecord(failLookup, 'key record', found)
    } catch (error) {
      throw new LookupFailedError((error as Error).message, { cause: error })
    }
    this.#known?.set(hash, resolved)
    return this.#live(resolved)
  }
}

/** Builds the strategy from validated settings (the standalone plugin and `createApiKeyStrategy`). */
export function strategyFromSettings(settings: ResolvedStrategyOptions): ApiKeyStrategy {
  return new ApiKeyAuthenticator(settings)
}

/**
 * The API key `AuthStrategy` for @rampart/auth. Options are validated here (throws
 * `RAMPART_API_KEY_INVALID_OPTION`); the caches are dropped when `fastify` closes.
 */
export function createApiKeyStrategy(fastify: FastifyInstance, options: ApiKeyStrategyOptions): ApiKeyStrategy {
  const strategy = strategyFromSettings(resolveStrategyOptions(options))
  fastify.addHook('onClose', async () => strategy.clearCache())
  return strategy
}

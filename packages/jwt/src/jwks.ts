import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { deadlineSignal } from '@rampart/core'
import type { AsymmetricAlgorithm, JwtAlgorithm } from './algorithms.js'
import { keyMismatch } from './algorithms.js'
import { buildVerifier, KID_PATTERN, type VerificationKey } from './keys.js'

/** A JWKS (RFC 7517) the strategy fetches signing keys from. */
export interface JwksOptions {
  /** The JWKS URL: `https:` (`http:` only to a loopback host). The only URL ever fetched. Required. */
  uri: string
  /** `iss` values accepted on tokens verified with these keys (exact match). Required, non-empty. */
  issuers: readonly string[]
  /** Algorithms accepted from the JWKS (asymmetric only); keys of others are ignored. Default `['RS256']`. */
  algorithms?: readonly AsymmetricAlgorithm[]
  /** ms the fetched keys are used before they are fetched again (in the background). Default 600,000. */
  ttl?: number
  /** Least ms between two fetches, whatever triggers them: a flood of unknown `kid`s fetches once per cooldown. Default 30,000. */
  cooldown?: number
  /** ms a fetch may take. Default 5,000. */
  timeout?: number
}

export interface ResolvedJwksOptions {
  readonly uri: string
  readonly issuers: readonly string[]
  readonly algorithms: readonly JwtAlgorithm[]
  readonly ttl: number
  readonly cooldown: number
  readonly timeout: number
}

export const JWKS_DEFAULTS = Object.freeze({
  algorithms: Object.freeze(['RS256']) as readonly JwtAlgorithm[],
  ttl: 600_000,
  cooldown: 30_000,
  timeout: 5_000,
})

/** A JWKS larger than this is refused (a real one is a few KiB). */
export const MAX_JWKS_BYTES = 1_048_576
/** Keys read from one JWKS at most. */
export const MAX_JWKS_KEYS = 100

const CURVE_ALGORITHMS: Readonly<Record<string, JwtAlgorithm>> = Object.freeze({
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
  Ed25519: 'EdDSA',
  Ed448: 'EdDSA',
})

function notKey(_where: string, problem: string): never {
  throw new Error(problem)
}

/** The algorithm a JWK is used with: its `alg`, else what its type and curve allow; `undefined` to skip it. */
function algorithmOf(jwk: Record<string, unknown>, allowed: readonly JwtAlgorithm[]): JwtAlgorithm | undefined {
  if (typeof jwk.alg === 'string')
    return allowed.includes(jwk.alg as JwtAlgorithm) ? (jwk.alg as JwtAlgorithm) : undefined
  if (jwk.kty === 'RSA') return allowed.find((algorithm) => algorithm.startsWith('RS') || algorithm.startsWith('PS'))
  const byCurve = typeof jwk.crv === 'string' ? CURVE_ALGORITHMS[jwk.crv] : undefined
  return byCurve !== undefined && allowed.includes(byCurve) ? byCurve : undefined
}

/** One key of a JWKS document, or `undefined` when it is not a public signing key we accept. */
function keyOf(value: unknown, allowed: readonly JwtAlgorithm[]): VerificationKey | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const jwk = value as Record<string, unknown>
  if (typeof jwk.kid !== 'string' || !KID_PATTERN.test(jwk.kid)) return undefined
  // Never a symmetric key from a JWKS, never private material, only signing keys.
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') return undefined
  if ('d' in jwk || (jwk.use !== undefined && jwk.use !== 'sig')) return undefined
  const algorithm = algorithmOf(jwk, allowed)
  if (algorithm === undefined) return undefined
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
    if (keyMismatch(algorithm, key) !== undefined) return undefined
    const pem = key.export({ type: 'spki', format: 'pem' }) as string
    return Object.freeze({
      kid: jwk.kid,
      algorithm,
      source: 'jwks' as const,
      verify: buildVerifier(notKey, '', pem, algorithm),
    })
  } catch {
    return undefined
  }
}

async function readLimited(response: Response): Promise<string> {
  const length = Number(response.headers.get('content-length') ?? 0)
  if (length > MAX_JWKS_BYTES) throw new Error(`JWKS of ${length} bytes is larger than ${MAX_JWKS_BYTES}`)
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > MAX_JWKS_BYTES) {
      await reader.cancel()
      throw new Error(`JWKS larger than ${MAX_JWKS_BYTES} bytes`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Reports a failed fetch (the strategy logs it). */
export type JwksFailure = (error: unknown, uri: string) => void

/**
 * The keys of one JWKS, by `kid`. Fetched when a token names a `kid` not known yet and at most once
 * per `cooldown` whatever the reason (concurrent requests share one fetch), and refreshed in the
 * background after `ttl`. A failed fetch keeps the keys known. Only `uri` is ever fetched: nothing
 * in a token (`kid`, `iss`, `jku`, `x5u`) changes what or where.
 */
export class JwksKeySource {
  readonly settings: ResolvedJwksOptions
  readonly #now: () => number
  readonly #onFailure: JwksFailure
  readonly #closed = new AbortController()
  #keys: ReadonlyMap<string, VerificationKey> = new Map()
  #lastAttempt = Number.NEGATIVE_INFINITY
  #fetchedAt = Number.NEGATIVE_INFINITY
  #lastFailed = false
  #inFlight: Promise<void> | undefined
  /** Fetches started. */
  fetches = 0

  constructor(settings: ResolvedJwksOptions, now: () => number, onFailure: JwksFailure) {
    this.settings = settings
    this.#now = now
    this.#onFailure = onFailure
  }

  get size(): number {
    return this.#keys.size
  }

  /** The key of `kid` if known now (a stale set is refreshed in the background); `undefined` otherwise. */
  known(kid: string): VerificationKey | undefined {
    const key = this.#keys.get(kid)
    if (key !== undefined && this.#now() - this.#fetchedAt >= this.settings.ttl) void this.#refresh()
    return key
  }

  /**
   * The key of a `kid` not known: fetched if the cooldown allows, else `undefined`. Rejects when the
   * JWKS could not be fetched lately, so a real key rotated in is not mistaken for a forged `kid`.
   */
  async lookup(kid: string): Promise<VerificationKey | undefined> {
    await this.#refresh()
    const key = this.#keys.get(kid)
    if (key === undefined && this.#lastFailed) throw new Error(`${this.settings.uri} could not be fetched`)
    return key
  }

  close(): void {
    this.#closed.abort()
  }

  #refresh(): Promise<void> {
    if (this.#inFlight !== undefined) return this.#inFlight
    if (this.#now() - this.#lastAttempt < this.settings.cooldown) return Promise.resolve()
    this.#lastAttempt = this.#now()
    this.fetches++
    const settle = () => {
      this.#inFlight = undefined
    }
    this.#inFlight = this.#fetch().then(settle, settle)
    return this.#inFlight
  }

  async #fetch(): Promise<void> {
    const deadline = deadlineSignal(this.#closed.signal, this.settings.timeout)
    try {
      const response = await fetch(this.settings.uri, {
        signal: deadline.signal,
        redirect: 'error',
        headers: { accept: 'application/jwk-set+json, application/json' },
      })
      if (!response.ok) {
        await response.body?.cancel()
        throw new Error(`HTTP ${response.status}`)
      }
      const document = JSON.parse(await readLimited(response)) as { keys?: unknown }
      if (document === null || typeof document !== 'object' || !Array.isArray(document.keys)) {
        throw new Error('not a JWKS: no "keys" array')
      }
      const keys = new Map<string, VerificationKey>()
      for (const entry of document.keys.slice(0, MAX_JWKS_KEYS)) {
        const key = keyOf(entry, this.settings.algorithms)
        if (key !== undefined && !keys.has(key.kid as string)) keys.set(key.kid as string, key)
      }
      if (keys.size === 0) throw new Error(`no usable key (${this.settings.algorithms.join(', ')}, with a kid)`)
      this.#keys = keys
      this.#fetchedAt = this.#now()
      this.#lastFailed = false
    } catch (error) {
      this.#lastFailed = true
      if (!this.#closed.signal.aborted) this.#onFailure(error, this.settings.uri)
    } finally {
      deadline.release()
    }
  }
}

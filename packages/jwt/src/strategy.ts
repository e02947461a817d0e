import { type AuthOutcome, type AuthStrategy, type Identity, quoted } from '@rampart/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type JwtDenylist, MemoryDenylist } from './denylist.js'
import { type RejectionReason, rejectedChannel, verifiedChannel } from './diagnostics.js'
import { ENGINE_ERRORS } from './engine.js'
import { DenylistFailedError, KeysUnavailableError } from './errors.js'
import { identityOf } from './identity.js'
import { type IssuedToken, type JwtClaims, type SignOptions, TokenIssuer, type TokenResponse } from './issuer.js'
import { JwksKeySource } from './jwks.js'
import { KID_PATTERN, type VerificationKey } from './keys.js'
import { type JwtStrategyOptions, type ResolvedStrategyOptions, resolveStrategyOptions } from './options.js'
import { readHeader } from './token-header.js'
import { MALFORMED_REQUEST, TokenSource } from './token-source.js'
import { type CachedVerification, VerificationCache } from './verification-cache.js'

/** Counters of the work done, for tests and metrics. */
export interface JwtStats {
  /** Signature checks run (cache misses that reached a key). */
  readonly verifications: number
  /** Requests answered from the cache of verified tokens. */
  readonly cacheHits: number
  /** JWKS fetches started. */
  readonly jwksFetches: number
}

/** The JWT `AuthStrategy`, plus issuing, revocation and cache control. */
export interface JwtStrategy extends AuthStrategy {
  /** `'jwt'` unless renamed. */
  readonly name: string
  /** `Bearer realm="api"`. */
  readonly challenge: string
  /** Absent (no token), authenticated (the identity of its claims) or invalid (why, for `WWW-Authenticate`). Rejects only when the JWKS or the denylist fails. */
  authenticate(request: FastifyRequest): AuthOutcome | Promise<AuthOutcome>
  /** A signed token for `subject` (an Identity, or claims with a `sub`). Throws `RAMPART_JWT_SIGN_FAILED` without a signing key. */
  sign(subject: Identity | JwtClaims, options?: SignOptions): string
  /** The signed token with its `jti`, `iat` and `exp`. */
  signToken(subject: Identity | JwtClaims, options?: SignOptions): IssuedToken
  /** `{ access_token, token_type: 'bearer', expires_in }` for a login route. */
  issue(subject: Identity | JwtClaims, options?: SignOptions): TokenResponse
  /** Revokes the token `jti` until its `exp` (seconds; the clock tolerance is added). Checked on every request, cached or not. */
  revoke(jti: string, exp: number): Promise<void>
  readonly stats: JwtStats
  /** Verified tokens cached. */
  readonly cacheSize: number
  /** Drops every cached verification. */
  clearCache(): void
  /** Stops JWKS fetches, drops the cache and closes the denylist. Called when the app closes. */
  close(): Promise<void>
}

interface Rejection {
  readonly reason: RejectionReason
  readonly outcome: AuthOutcome & { status: 'invalid' }
}

function rejection(reason: RejectionReason, error: string, description: string): Rejection {
  return Object.freeze({ reason, outcome: Object.freeze({ status: 'invalid' as const, error, description }) })
}

const ABSENT: AuthOutcome = Object.freeze({ status: 'absent' })
const MALFORMED_REQUEST_REJECTION = rejection(
  'malformed-request',
  'invalid_request',
  'malformed request: expected one bearer token',
)
const TOO_LARGE = rejection('too-large', 'invalid_token', 'invalid token: too large')
const MALFORMED = rejection('malformed', 'invalid_token', 'invalid token: malformed')
const CRIT = rejection('malformed', 'invalid_token', 'invalid token: unsupported critical header')
const ENCRYPTED = rejection('algorithm', 'invalid_token', 'invalid token: encrypted tokens are not accepted')
const UNSIGNED = rejection('algorithm', 'invalid_token', 'invalid token: unsigned')
const ALGORITHM = rejection('algorithm', 'invalid_token', 'invalid token: algorithm not allowed')
const UNKNOWN_KEY = rejection('unknown-key', 'invalid_token', 'invalid token: unknown key')
const NO_KID = rejection('unknown-key', 'invalid_token', 'invalid token: no key id')
const SIGNATURE = rejection('signature', 'invalid_token', 'invalid token: bad signature')
const EXPIRED = rejection('expired', 'invalid_token', 'token expired')
const NOT_YET_VALID = rejection('not-yet-valid', 'invalid_token', 'token not yet valid')
const NO_EXPIRY = rejection('claims', 'invalid_token', 'invalid token: no expiry')
const BAD_TIME = rejection('claims', 'invalid_token', 'invalid token: exp, nbf and iat must be numbers')
const ISSUER = rejection('claims', 'invalid_token', 'invalid token: issuer not allowed')
const AUDIENCE = rejection('claims', 'invalid_token', 'invalid token: audience not allowed')
const SUBJECT = rejection('claims', 'invalid_token', 'invalid token: no subject')
const BAD_JTI = rejection('claims', 'invalid_token', 'invalid token: malformed jti')
const REVOKED = rejection('revoked', 'invalid_token', 'token revoked')

/** A subject: 1..256 characters, no control characters (it ends up in logs and rate-limit keys). */
function isSubject(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) return false
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return false
  }
  return true
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function denylistFailure(error: unknown): Error {
  if ((error as { code?: unknown } | null)?.code === 'RAMPART_JWT_DENYLIST_FAILED') return error as Error
  return new DenylistFailedError(error instanceof Error ? error.message : String(error), { cause: error })
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | null)?.then === 'function'
}

class JwtAuthenticator implements JwtStrategy {
  readonly name: string
  readonly challenge: string
  readonly #settings: ResolvedStrategyOptions
  readonly #source: TokenSource
  readonly #issuer: TokenIssuer
  readonly #cache: VerificationCache | undefined
  readonly #cacheTtl: number
  readonly #denylist: JwtDenylist
  readonly #jwks: JwksKeySource | undefined
  readonly #now: () => number
  readonly #toleranceMs: number
  #verifications = 0
  #cacheHits = 0

  constructor(settings: ResolvedStrategyOptions, log: FastifyInstance['log'] | undefined) {
    this.#settings = settings
    this.name = settings.name
    this.challenge = `Bearer realm=${quoted(settings.realm)}`
    this.#source = new TokenSource(settings.cookie, settings.query)
    this.#issuer = new TokenIssuer(settings)
    this.#now = settings.now
    this.#toleranceMs = settings.clockTolerance * 1000
    this.#cache = settings.cache === false ? undefined : new VerificationCache(settings.cache.maxEntries)
    this.#cacheTtl = settings.cache === false ? 0 : settings.cache.ttl
    this.#denylist = settings.denylist ?? new MemoryDenylist({ now: settings.now })
    this.#jwks =
      settings.jwks === undefined
        ? undefined
        : new JwksKeySource(settings.jwks, settings.now, (error, uri) => {
            log?.warn({ err: error, uri }, '@rampart/jwt: JWKS fetch failed')
          })
  }

  get stats(): JwtStats {
    return Object.freeze({
      verifications: this.#verifications,
      cacheHits: this.#cacheHits,
      jwksFetches: this.#jwks?.fetches ?? 0,
    })
  }

  get cacheSize(): number {
    return this.#cache?.size ?? 0
  }

  clearCache(): void {
    this.#cache?.clear()
  }

  async close(): Promise<void> {
    this.#jwks?.close()
    this.#cache?.clear()
    await this.#denylist.close?.()
  }

  sign(subject: Identity | JwtClaims, options?: SignOptions): string {
    return this.#issuer.sign(subject, options)
  }

  signToken(subject: Identity | JwtClaims, options?: SignOptions): IssuedToken {
    return this.#issuer.signToken(subject, options)
  }

  issue(subject: Identity | JwtClaims, options?: SignOptions): TokenResponse {
    return this.#issuer.issue(subject, options)
  }

  async revoke(jti: string, exp: number): Promise<void> {
    if (typeof jti !== 'string' || jti.length === 0) throw new TypeError('revoke: jti must be a non-empty string')
    if (!isNumber(exp)) throw new TypeError('revoke: exp must be the token exp (seconds since the epoch)')
    try {
      await this.#denylist.add(jti, exp + this.#settings.clockTolerance)
    } catch (error) {
      if ((error as { code?: unknown }).code === 'RAMPART_JWT_DENYLIST_FULL') throw error
      throw denylistFailure(error)
    }
  }

  authenticate(request: FastifyRequest): AuthOutcome | Promise<AuthOutcome> {
    const token = this.#source.extract(request)
    if (token === undefined) return ABSENT
    if (token === MALFORMED_REQUEST) return this.#reject(request, MALFORMED_REQUEST_REJECTION)
    if (token.length > this.#settings.maxTokenLength) return this.#reject(request, TOO_LARGE)
    // The cache is keyed by the whole token: a hit can never vouch for another payload.
    const cacheKey = this.#cache === undefined ? undefined : token
    if (this.#cache !== undefined) {
      const hit = this.#cache.get(token, this.#now())
      if (hit !== undefined) {
        this.#cacheHits++
        return hit.jti === undefined ? hit.outcome : this.#checkRevoked(request, hit.outcome, hit.jti)
      }
    }
    return this.#verify(request, token, cacheKey)
  }

  #reject(request: FastifyRequest, rejection: Rejection): AuthOutcome {
    if (rejectedChannel.hasSubscribers) {
      rejectedChannel.publish({ request, reason: rejection.reason, description: rejection.outcome.description })
    }
    return rejection.outcome
  }

  #verify(request: FastifyRequest, token: string, cacheKey: string | undefined): AuthOutcome | Promise<AuthOutcome> {
    const header = readHeader(token)
    if (header === 'malformed') return this.#reject(request, MALFORMED)
    if (header === 'encrypted') return this.#reject(request, ENCRYPTED)
    const { alg, kid } = header
    if (typeof alg !== 'string') return this.#reject(request, MALFORMED)
    if (alg.toLowerCase() === 'none') return this.#reject(request, UNSIGNED)
    let key: VerificationKey | undefined
    if (kid === undefined) {
      key = this.#settings.keyring.withoutKid
      if (key === undefined) return this.#reject(request, NO_KID)
    } else {
      if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) return this.#reject(request, UNKNOWN_KEY)
      key = this.#settings.keyring.byKid.get(kid)
      if (key === undefined && this.#jwks !== undefined) {
        key = this.#jwks.known(kid)
        if (key === undefined) return this.#verifyWithJwks(request, token, cacheKey, kid, alg)
      }
      if (key === undefined) return this.#reject(request, UNKNOWN_KEY)
    }
    return this.#check(request, token, cacheKey, key, alg)
  }

  async #verifyWithJwks(
    request: FastifyRequest,
    token: string,
    cacheKey: string | undefined,
    kid: string,
    alg: string,
  ): Promise<AuthOutcome> {
    const jwks = this.#jwks as JwksKeySource
    let key: VerificationKey | undefined
    try {
      key = await jwks.lookup(kid)
    } catch (error) {
      throw new KeysUnavailableError((error as Error).message, { cause: error })
    }
    if (key === undefined) return this.#reject(request, UNKNOWN_KEY)
    return this.#check(request, token, cacheKey, key, alg)
  }

  /** Signature (fast-jwt, the key's one algorithm), then claims, then the cache, then the denylist. */
  #check(
    request: FastifyRequest,
    token: string,
    cacheKey: string | undefined,
    key: VerificationKey,
    alg: string,
  ): AuthOutcome | Promise<AuthOutcome> {
    if (alg !== key.algorithm) return this.#reject(request, ALGORITHM)
    let claims: Record<string, unknown>
    this.#verifications++
    try {
      claims = key.verify(token)
    } catch (error) {
      return this.#reject(request, this.#engineRejection(error))
    }
    const problem = this.#checkClaims(claims, key.source)
    if (problem !== undefined) return this.#reject(request, problem)
    const identity = identityOf(claims, claims.sub as string, this.#settings.tierClaim, this.#settings.defaultTier)
    const outcome: AuthOutcome = Object.freeze({ status: 'authenticated' as const, identity })
    const exp = claims.exp as number | undefined
    const jti = claims.jti as string | undefined
    if (this.#cache !== undefined && cacheKey !== undefined) {
      const now = this.#now()
      const expiresAt = exp === undefined ? now + this.#cacheTtl : Math.min(now + this.#cacheTtl, exp * 1000)
      if (expiresAt > now) {
        const entry: CachedVerification = Object.freeze({ outcome, jti, expiresAt })
        this.#cache.set(cacheKey, entry)
      }
    }
    if (verifiedChannel.hasSubscribers) {
      verifiedChannel.publish({ request, identity, kid: key.kid ?? null, source: key.source })
    }
    return jti === undefined ? outcome : this.#checkRevoked(request, outcome, jti)
  }

  #engineRejection(error: unknown): Rejection {
    const code = (error as { code?: unknown } | null)?.code
    if (code === ENGINE_ERRORS.invalidSignature || code === ENGINE_ERRORS.missingSignature) return SIGNATURE
    if (code === ENGINE_ERRORS.invalidAlgorithm) return ALGORITHM
    if (code === ENGINE_ERRORS.invalidCritHeader) return CRIT
    return MALFORMED
  }

  #checkClaims(claims: Record<string, unknown>, source: VerificationKey['source']): Rejection | undefined {
    const now = this.#now()
    const { exp, nbf, iat } = claims
    if (exp === undefined) {
      if (this.#settings.requireExpiration) return NO_EXPIRY
    } else if (!isNumber(exp)) return BAD_TIME
    else if (now >= exp * 1000 + this.#toleranceMs) return EXPIRED
    if (nbf !== undefined) {
      if (!isNumber(nbf)) return BAD_TIME
      if (now < nbf * 1000 - this.#toleranceMs) return NOT_YET_VALID
    }
    if (iat !== undefined && !isNumber(iat)) return BAD_TIME
    const issuers = source === 'jwks' ? (this.#jwks as JwksKeySource).settings.issuers : this.#settings.issuers
    if (issuers.length > 0 && !(typeof claims.iss === 'string' && issuers.includes(claims.iss))) return ISSUER
    if (this.#settings.audiences.length > 0 && !this.#audienceAllowed(claims.aud)) return AUDIENCE
    if (!isSubject(claims.sub)) return SUBJECT
    if (claims.jti !== undefined && !(typeof claims.jti === 'string' && KID_PATTERN.test(claims.jti))) return BAD_JTI
    return undefined
  }

  #audienceAllowed(aud: unknown): boolean {
    const allowed = this.#settings.audiences
    if (typeof aud === 'string') return allowed.includes(aud)
    if (!Array.isArray(aud)) return false
    for (const value of aud) if (typeof value === 'string' && allowed.includes(value)) return true
    return false
  }

  #checkRevoked(request: FastifyRequest, outcome: AuthOutcome, jti: string): AuthOutcome | Promise<AuthOutcome> {
    let revoked: boolean | Promise<boolean>
    try {
      revoked = this.#denylist.has(jti)
    } catch (error) {
      throw denylistFailure(error)
    }
    if (isPromise(revoked)) return this.#awaitRevoked(request, outcome, revoked)
    return revoked ? this.#reject(request, REVOKED) : outcome
  }

  async #awaitRevoked(request: FastifyRequest, outcome: AuthOutcome, pending: Promise<boolean>): Promise<AuthOutcome> {
    let revoked: boolean
    try {
      revoked = await pending
    } catch (error) {
      throw denylistFailure(error)
    }
    return revoked ? this.#reject(request, REVOKED) : outcome
  }
}

/** Builds the strategy from validated settings (the standalone plugin and `createJwtStrategy`). */
export function strategyFromSettings(settings: ResolvedStrategyOptions, log?: FastifyInstance['log']): JwtStrategy {
  return new JwtAuthenticator(settings, log)
}

/**
 * The JWT `AuthStrategy` for @rampart/auth. Options are validated here (throws
 * `RAMPART_JWT_INVALID_OPTION`); JWKS fetches stop, the cache is dropped and the denylist closed
 * when `fastify` closes.
 */
export function createJwtStrategy(fastify: FastifyInstance, options: JwtStrategyOptions): JwtStrategy {
  const strategy = strategyFromSettings(resolveStrategyOptions(options), fastify.log)
  fastify.addHook('onClose', async () => strategy.close())
  return strategy
}

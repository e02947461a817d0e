import { randomUUID } from 'node:crypto'
import type { Identity } from '@rampart/core'
import { SignFailedError } from './errors.js'
import type { SigningKey } from './keys.js'
import { type ResolvedIssuerOptions, resolveIssuerOptions, type TokenIssuerOptions } from './options.js'

/** Claims to sign: `sub` is required; `iat`, `exp`, `iss` and `aud` are the issuer's to set. */
export interface JwtClaims {
  sub: string
  [claim: string]: unknown
}

export interface SignOptions {
  /** Lifetime in seconds. Default: the `expiresIn` option. */
  expiresIn?: number
  /** The token's id (for revocation). Default: a random UUID. */
  jti?: string
}

/** An OAuth 2.0 token response (RFC 6749 section 5.1), what a login route returns. */
export interface TokenResponse {
  readonly access_token: string
  readonly token_type: 'bearer'
  /** Seconds until the token expires. */
  readonly expires_in: number
}

/** A signed token and what went into it. */
export interface IssuedToken {
  readonly token: string
  readonly jti: string
  /** NumericDate (seconds since the epoch). */
  readonly issuedAt: number
  /** NumericDate (seconds since the epoch). */
  readonly expiresAt: number
}

const RESERVED = ['iat', 'exp', 'iss', 'aud'] as const
const JTI = /^[\x21-\x7e]{1,256}$/

function isIdentity(subject: Identity | JwtClaims): subject is Identity {
  return (
    (subject as JwtClaims).sub === undefined &&
    typeof (subject as Identity).id === 'string' &&
    Array.isArray((subject as Identity).scopes)
  )
}

/**
 * Signs tokens for login routes: `iat`, `exp` and a random `jti` from its clock, `iss`/`aud` when
 * configured, `kid` in the header when the signing key has one. The same key material and claim
 * names as the strategy, so what it issues the strategy accepts.
 */
export class TokenIssuer {
  readonly #settings: ResolvedIssuerOptions
  readonly #key: SigningKey | undefined

  constructor(settings: ResolvedIssuerOptions) {
    this.#settings = settings
    this.#key = settings.keyring.signing
  }

  /** Signs the claims of an identity (`sub` = `id`, the tier claim, `scope`) or of a claims object with a `sub`. */
  signToken(subject: Identity | JwtClaims, options: SignOptions = {}): IssuedToken {
    const key = this.#key
    if (key === undefined) throw new SignFailedError('no key can sign (give a secret or a privateKey)')
    const expiresIn = options.expiresIn ?? this.#settings.expiresIn
    if (!Number.isSafeInteger(expiresIn) || expiresIn < 1) {
      throw new SignFailedError(`expiresIn must be a positive integer of seconds (got ${String(expiresIn)})`)
    }
    const jti = options.jti ?? randomUUID()
    if (typeof jti !== 'string' || !JTI.test(jti))
      throw new SignFailedError('jti must be 1..256 visible ASCII characters')
    const claims = this.#claimsOf(subject)
    const issuedAt = Math.floor(this.#settings.now() / 1000)
    const expiresAt = issuedAt + expiresIn
    const { issuers, audiences } = this.#settings
    const payload: Record<string, unknown> = { ...claims, iat: issuedAt, exp: expiresAt, jti }
    if (issuers.length > 0) payload.iss = issuers[0]
    if (audiences.length > 0) payload.aud = audiences.length === 1 ? audiences[0] : audiences
    let token: string
    try {
      token = key.sign(payload)
    } catch (error) {
      throw new SignFailedError(error instanceof Error ? error.message : String(error), { cause: error })
    }
    return Object.freeze({ token, jti, issuedAt, expiresAt })
  }

  /** The signed token. */
  sign(subject: Identity | JwtClaims, options?: SignOptions): string {
    return this.signToken(subject, options).token
  }

  /** `{ access_token, token_type: 'bearer', expires_in }`: the body of a login route's reply. */
  issue(subject: Identity | JwtClaims, options?: SignOptions): TokenResponse {
    const issued = this.signToken(subject, options)
    return Object.freeze({
      access_token: issued.token,
      token_type: 'bearer' as const,
      expires_in: issued.expiresAt - issued.issuedAt,
    })
  }

  #claimsOf(subject: Identity | JwtClaims): Record<string, unknown> {
    if (subject === null || typeof subject !== 'object') throw new SignFailedError('claims must be an object')
    if (isIdentity(subject)) {
      const claims: Record<string, unknown> = { sub: subject.id }
      if (subject.tier !== undefined) claims[this.#settings.tierClaim] = subject.tier
      if (subject.scopes.length > 0) claims.scope = subject.scopes.join(' ')
      return claims
    }
    if (typeof subject.sub !== 'string' || subject.sub.length === 0) {
      throw new SignFailedError('claims need a non-empty string `sub` (or pass an Identity)')
    }
    for (const name of RESERVED) {
      if (Object.hasOwn(subject, name)) throw new SignFailedError(`the \`${name}\` claim is set by the issuer`)
    }
    if (Object.hasOwn(subject, 'jti')) throw new SignFailedError('give the jti as an option: sign(claims, { jti })')
    return subject
  }
}

/** A token issuer on its own (a login service that does not verify); options as the strategy's. */
export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  return new TokenIssuer(resolveIssuerOptions(options))
}

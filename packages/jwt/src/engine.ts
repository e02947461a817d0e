import { createRequire } from 'node:module'

/**
 * The JWS engine: fast-jwt, the verifier and signer factories @fastify/jwt is built on, loaded from
 * @fastify/jwt's own dependency tree so the version is the one @fastify/jwt was tested with.
 *
 * @fastify/jwt's request API (`request.jwtVerify`, `request.user`, one key per registration, a
 * verifier rebuilt per call with options, 400/500 for some malformed tokens) does not fit a
 * strategy with a keyring, JWKS, a cache and revocation; its engine does. One prebuilt verifier per
 * key, algorithm pinned, and every error it throws is caught by the caller and mapped to a 401.
 */

/** The options of fast-jwt's `createVerifier` this package uses. */
export interface VerifierOptions {
  key: string | Buffer
  algorithms: readonly string[]
  /** Time and identity claims are checked by the strategy, with its own clock and descriptions. */
  ignoreExpiration: true
  ignoreNotBefore: true
  cache: false
}

/** The options of fast-jwt's `createSigner` this package uses. */
export interface SignerOptions {
  /** A secret, or a PKCS #8 PEM private key. `iat`, `exp` and `jti` come in the payload, set by the issuer. */
  key: string | Buffer
  algorithm: string
  kid?: string
}

export type Verifier = (token: string) => Record<string, unknown>
export type Signer = (payload: Record<string, unknown>) => string

interface FastJwt {
  createVerifier(options: VerifierOptions): Verifier
  createSigner(options: SignerOptions): Signer
  TOKEN_ERROR_CODES: Readonly<Record<string, string>>
}

const requireHere = createRequire(import.meta.url)
const fastJwt = createRequire(requireHere.resolve('@fastify/jwt'))('fast-jwt') as FastJwt

export const createVerifier: (options: VerifierOptions) => Verifier = fastJwt.createVerifier
export const createSigner: (options: SignerOptions) => Signer = fastJwt.createSigner

/** fast-jwt's error codes (`FAST_JWT_INVALID_SIGNATURE`, ...), by name. */
export const ENGINE_ERRORS: Readonly<Record<string, string>> = fastJwt.TOKEN_ERROR_CODES

import type { FastifyInstance } from 'fastify'

/**
 * The authenticated identity of a request, set once by the authentication plugins (Phase 2) and
 * read by rate limiting, RBAC, audit and logs. `undefined`/`null` means anonymous.
 */
export interface Identity {
  /** Stable id of the principal (user id, API key id). */
  readonly id: string
  /** What authenticated: a user token, an API key, a service. */
  readonly kind: 'user' | 'api-key' | 'service'
  /** Plan tier (`free`, `basic`, `pro`, `enterprise`), when known. */
  readonly tier?: string
  /** Granted scopes / permissions. */
  readonly scopes: readonly string[]
  /** The verified claims or key metadata it came from. */
  readonly claims?: Readonly<Record<string, unknown>>
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by @rampart/auth (or your own authentication); absent or null when anonymous. */
    identity?: Identity | null
  }
}

/** What one authentication strategy made of a request. */
export type AuthOutcome =
  /** The request carries no credentials of this kind. */
  | { readonly status: 'absent' }
  | { readonly status: 'authenticated'; readonly identity: Identity }
  /** Credentials of this kind are present but not acceptable. */
  | {
      readonly status: 'invalid'
      /** RFC 6750 error code for `WWW-Authenticate` (`invalid_token`, `invalid_request`, ...). */
      readonly error: string
      /** Human-readable reason: expired, invalid signature, unknown key, ... */
      readonly description: string
    }

/**
 * One way to authenticate (JWT, API key, ...). Strategy packages export one; @rampart/auth composes
 * them and sets `request.identity`.
 */
export interface AuthStrategy {
  /** Short name: `jwt`, `api-key`. */
  readonly name: string
  /** The `WWW-Authenticate` challenge sent with a refusal, e.g. `Bearer realm="api"`. */
  readonly challenge: string
  authenticate(request: import('fastify').FastifyRequest): AuthOutcome | Promise<AuthOutcome>
}

/** Declares `request.identity` (null = anonymous) unless another Rampart plugin already did. Idempotent. */
export function declareIdentity(fastify: FastifyInstance): void {
  if (!fastify.hasRequestDecorator('identity')) fastify.decorateRequest('identity', null)
}

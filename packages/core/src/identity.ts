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

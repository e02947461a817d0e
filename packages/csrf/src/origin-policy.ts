import { getClientAddress } from '@rampart/core'
import type { FastifyRequest } from 'fastify'

/** Why the policy refuses a request: `cross-site` (`Sec-Fetch-Site`) or `origin` (`Origin`). */
export type OriginVerdict = 'cross-site' | 'origin' | undefined

/**
 * The Fetch Metadata and Origin layer, for unsafe methods. Browsers set `Sec-Fetch-Site` and
 * `Origin` themselves and no page can change them, so a forged cross-site form or fetch is
 * refused here before its body is read:
 * - `Origin` in `allowedOrigins` (trusted explicitly, for cross-origin front ends): allowed;
 * - `Sec-Fetch-Site` other than `same-origin` or `none` (`same-site` too unless `allowSameSite`): `cross-site`;
 * - `Origin: null`, or an `Origin` other than the request's own: `origin`.
 *
 * The request's own origin is `<protocol>://<host>` as @rampart/core resolves them (socket TLS,
 * `Host`, or a trusted proxy's `X-Forwarded-Proto`/`-Host`), default port dropped, as browsers
 * write `Origin`. Requests without either header (non-browser clients, old browsers) pass on to
 * the token check.
 */
export class OriginPolicy {
  readonly #allowed: ReadonlySet<string>
  readonly #allowSameSite: boolean

  constructor(allowedOrigins: readonly string[], allowSameSite: boolean) {
    this.#allowed = new Set(allowedOrigins)
    this.#allowSameSite = allowSameSite
  }

  check(request: FastifyRequest): OriginVerdict {
    const origin = request.headers.origin
    if (origin !== undefined && this.#allowed.has(origin)) return undefined
    const site = request.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      if (!(site === 'same-site' && this.#allowSameSite)) return 'cross-site'
    }
    if (origin !== undefined && origin !== ownOrigin(request)) return 'origin'
    return undefined
  }
}

/** `https://example.com` for a request to `https://example.com:443/x`; `undefined` without a usable host. */
export function ownOrigin(request: FastifyRequest): string | undefined {
  const { protocol, host } = getClientAddress(request)
  if (host === undefined) return undefined
  const defaultPort = protocol === 'https' ? ':443' : ':80'
  const bare = host.endsWith(defaultPort) ? host.slice(0, -defaultPort.length) : host
  return `${protocol}://${bare}`
}

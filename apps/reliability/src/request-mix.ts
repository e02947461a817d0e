import { signRequest } from '@rampart/signature'
import type { LoadRequest } from './load.js'
import type { SuiteApp } from './suite-app.js'

/** What a mix needs from a running suite app: its secrets, a token and a session cookie. */
export interface MixCredentials {
  readonly secrets: SuiteApp['secrets']
  /** A valid bearer token (with a jti: the denylist is asked). */
  readonly token: string
  /** `sid=...` of a logged-in session. */
  readonly sessionCookie: string
}

/** Kinds of the mix, in the order they come round (public three times in eight). */
export const MIX_KINDS = ['public', 'public', 'public', 'login', 'jwt', 'session', 'signed', 'api-key'] as const

/**
 * The fault tests' and the soak's mix: public reads, failed logins (a fail-closed policy), a JWT
 * route, a session route, signed posts and an API-key route, from `clients` addresses forwarded
 * by the trusted loopback proxy.
 */
export function suiteMix(credentials: MixCredentials, clients = 800): (n: number) => LoadRequest {
  const { secrets, token, sessionCookie } = credentials
  return (n) => {
    const index = n % clients
    const client = `203.0.${index >> 8}.${index & 255}`
    const base = { 'x-forwarded-for': client }
    switch (MIX_KINDS[n % MIX_KINDS.length]) {
      case 'public':
        return { kind: 'public', method: 'GET', path: '/api/test', headers: base }
      case 'login':
        return {
          kind: 'login',
          method: 'POST',
          path: '/api/auth/login',
          headers: { ...base, 'content-type': 'application/json' },
          body: '{"username":"alice","password":"wrong"}',
        }
      case 'jwt':
        return {
          kind: 'jwt',
          method: 'GET',
          path: '/api/protected',
          headers: { ...base, authorization: `Bearer ${token}` },
        }
      case 'session':
        return { kind: 'session', method: 'GET', path: '/app/me', headers: { ...base, cookie: sessionCookie } }
      case 'signed': {
        const body = JSON.stringify({ n })
        const signed = signRequest({
          keyId: secrets.signingKeyId,
          secret: secrets.signingSecret,
          method: 'POST',
          url: '/api/signed/echo',
          body,
        }) as unknown as Record<string, string>
        return {
          kind: 'signed',
          method: 'POST',
          path: '/api/signed/echo',
          headers: { ...base, ...signed, 'content-type': 'application/json' },
          body,
        }
      }
      default:
        return {
          kind: 'api-key',
          method: 'GET',
          path: '/api/reports',
          headers: { ...base, 'x-api-key': secrets.apiKey },
        }
    }
  }
}

/** Logs the suite user in (through inject) and returns the session cookie. */
export async function sessionCookieOf(suite: SuiteApp): Promise<string> {
  const response = await suite.app.inject({
    method: 'POST',
    url: '/app/login',
    headers: { host: 'api.example.com', 'content-type': 'application/json' },
    payload: JSON.stringify(suite.secrets.user),
  })
  const cookie = /sid=[^;]+/.exec(String(response.headers['set-cookie']))?.[0]
  if (response.statusCode !== 200 || cookie === undefined)
    throw new Error(`login failed: ${response.statusCode} ${response.body}`)
  return cookie
}

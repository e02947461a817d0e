import { createHmac } from 'node:crypto'

/** HS256 secret shared by every JWT variant (Rampart needs at least 32 bytes). */
export const JWT_SECRET = 'rampart-bench-secret-0123456789abcdef-0123456789abcdef'

/** The `Origin` every measured request carries, allowed by every CORS variant. */
export const ORIGIN = 'https://app.example.com'

/** Limits no benchmark client can reach (about 10^4 requests a second for minutes). */
export const HIGH_LIMIT = 1_000_000_000

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url')
}

/**
 * One valid HS256 token, signed here (not by either JWT plugin) so the Rampart and @fastify
 * variants verify the same bytes. Valid for `lifetimeSeconds` from now.
 */
export function benchToken(secret = JWT_SECRET, lifetimeSeconds = 6 * 3600): string {
  const now = Math.floor(Date.now() / 1000)
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = base64url(JSON.stringify({ sub: 'bench-user', scope: 'read', iat: now, exp: now + lifetimeSeconds }))
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')
  return `${header}.${payload}.${signature}`
}

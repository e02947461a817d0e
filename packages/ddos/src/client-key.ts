import { hash } from 'node:crypto'
import { getClientAddress, ipBucket, normalizeIp } from '@rampart/core'
import type { FastifyRequest } from 'fastify'
import { InvalidArgumentError } from './errors.js'

/** The client of a request with no socket peer address. */
export const UNKNOWN_CLIENT = 'unknown'

/**
 * The client a request counts for: core's trusted client address (proxies resolved once, by
 * @rampart/proxy-headers), an IPv6 address by its `/ipv6PrefixLength` prefix, so one host cannot
 * rotate through its own subnet. Never the identity: a flood is refused before it is authenticated.
 */
export function clientOf(request: FastifyRequest, ipv6PrefixLength: number): string {
  const ip = getClientAddress(request).ip
  return ip.length === 0 ? UNKNOWN_CLIENT : ipBucket(ip, ipv6PrefixLength)
}

const BUCKET_SUFFIX = /\/(\d{1,3})$/

/**
 * The client named by the API (`ban`, `unban`): an IP address (normalised, IPv6 bucketed) or a
 * client exactly as the events report it (`2001:db8:1:2::/64`, `unknown`).
 */
export function parseClient(value: unknown, ipv6PrefixLength: number): string {
  if (typeof value !== 'string')
    throw new InvalidArgumentError(`@rampart/ddos: a client must be a string (got ${typeof value})`)
  if (value === UNKNOWN_CLIENT) return value
  const ip = normalizeIp(value)
  if (ip !== undefined) return ipBucket(ip, ipv6PrefixLength)
  const suffix = BUCKET_SUFFIX.exec(value)
  if (suffix !== null && Number(suffix[1]) === ipv6PrefixLength) {
    const prefix = normalizeIp(value.slice(0, suffix.index))
    if (prefix?.includes(':')) return ipBucket(prefix, ipv6PrefixLength)
  }
  throw new InvalidArgumentError(
    `@rampart/ddos: ${JSON.stringify(value.slice(0, 80))} is not a client: give an IP address or an IPv6 /${ipv6PrefixLength} prefix`,
  )
}

/**
 * A fixed-length digest of a client for Redis keys: 22 base64url characters (128 bits of
 * SHA-256), so no address is stored in Redis in clear.
 */
export function hashClient(client: string): string {
  return hash('sha256', client, 'buffer').toString('base64url', 0, 16)
}

import { hash } from 'node:crypto'
import { getClientAddress, ipBucket } from '@rampart/core'
import type { FastifyRequest } from 'fastify'

/** Length of every client key handed to a store: 22 base64url characters (128 bits of SHA-256). */
export const CLIENT_KEY_LENGTH = 22

/**
 * The default client: the trusted client address (core resolves proxies; an IPv6 address counts
 * by its `/ipv6PrefixLength` prefix, an IPv4-mapped one as IPv4), plus the identity's id when an
 * authentication plugin has set one by the limiter's hook.
 */
export function defaultClientKey(request: FastifyRequest, ipv6PrefixLength: number): string {
  const ip = getClientAddress(request).ip
  const bucket = ip.length === 0 ? 'unknown' : ipBucket(ip, ipv6PrefixLength)
  const id = request.identity?.id
  return id === undefined || id.length === 0 ? `ip:${bucket}` : `ip:${bucket}\nuser:${id}`
}

/**
 * Hashes a client to a fixed-length store key, so a 100 KB user id or API key makes a key of the
 * same size as any other, and no client text (addresses, ids) reaches the store.
 */
export function hashClientKey(client: string): string {
  // From the first 16 bytes, not a slice of the full digest's text: a slice would keep the 43
  // characters of its parent string alive in every tracked client.
  return hash('sha256', client, 'buffer').toString('base64url', 0, 16)
}

/** Local keys longer than this are hashed: memory per tracked client stays bounded. */
const MAX_LOCAL_KEY_LENGTH = 64
const HASHED_MARK = '#'

/**
 * The key for a store that keeps its counts in this process: short keys as they are (no hash per
 * request; nothing leaves the process), longer ones hashed and marked, so a raw key can never
 * equal a hashed one.
 */
export function localClientKey(client: string): string {
  return client.length <= MAX_LOCAL_KEY_LENGTH && !client.startsWith(HASHED_MARK)
    ? client
    : HASHED_MARK + hashClientKey(client)
}

/** Recently hashed short keys: most requests come from a client seen a moment ago. */
const SHARED_MEMO_SIZE = 4096
const sharedMemo = new Map<string, string>()

/**
 * `hashClientKey` for a shared store, remembering the last few thousand short keys (a SHA-256 is
 * about 1.5 µs; a `Map` hit a few dozen ns). Bounded: keys over 64 characters are not kept, and
 * the memo starts over when full.
 */
export function sharedClientKey(client: string): string {
  let key = sharedMemo.get(client)
  if (key !== undefined) return key
  key = hashClientKey(client)
  if (client.length <= MAX_LOCAL_KEY_LENGTH) {
    if (sharedMemo.size >= SHARED_MEMO_SIZE) sharedMemo.clear()
    sharedMemo.set(client, key)
  }
  return key
}

/** A short stable digest for scopes (route patterns of any length). */
export function shortDigest(text: string): string {
  return hash('sha256', text, 'base64url').slice(0, 16)
}

/**
 * A key for a limiter that runs after authentication (seed 000's RedisRateLimitMiddleware): the
 * identity (`user:alice`, `api-key:billing`) when one is set, so one user shares one count from
 * every address; otherwise the client address, as `defaultClientKey`.
 */
export function identityOrAddressKey(ipv6PrefixLength = 64): (request: FastifyRequest) => string {
  return (request) => {
    const identity = request.identity
    if (identity !== null && identity !== undefined && identity.id.length > 0) return `${identity.kind}:${identity.id}`
    const ip = getClientAddress(request).ip
    return `ip:${ip.length === 0 ? 'unknown' : ipBucket(ip, ipv6PrefixLength)}`
  }
}

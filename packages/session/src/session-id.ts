import { createHash, randomBytes } from 'node:crypto'

/** A session id: 32 random bytes, base64url without padding (43 characters, 256 bits). */
export const SESSION_ID_PATTERN: RegExp = /^[A-Za-z0-9_-]{43}$/

/** A session handle: the SHA-256 of the id, 64 lowercase hex characters. */
export const HANDLE_PATTERN: RegExp = /^[0-9a-f]{64}$/

/** Length of the short reference (`ref`) events carry: the handle's first 16 hex characters. */
export const REF_LENGTH = 16

/** A new opaque session id from the operating system's CSPRNG. */
export function generateSessionId(): string {
  return randomBytes(32).toString('base64url')
}

/** Whether `value` has the shape of a session id (anything else is never looked up). */
export function isSessionId(value: string): boolean {
  return value.length === 43 && SESSION_ID_PATTERN.test(value)
}

/**
 * The handle a session is stored under: SHA-256 of its id, in hex. One-way, so whoever reads the
 * store (a Redis dump, `list()`, a log) cannot turn a handle back into a cookie. No key is needed:
 * the id has 256 bits of entropy, so there is nothing to guess.
 */
export function sessionHandle(id: string): string {
  return createHash('sha256').update(id).digest('hex')
}

/** The short reference of a handle used in events, to correlate without exposing anything usable. */
export function shortRef(handle: string): string {
  return handle.slice(0, REF_LENGTH)
}

/** What a session bound to its user agent keeps: SHA-256 of the `User-Agent` header, 22 base64url characters. */
export function userAgentHash(userAgent: string | undefined): string {
  return createHash('sha256')
    .update(userAgent ?? '')
    .digest('base64url')
    .slice(0, 22)
}

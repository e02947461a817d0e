import type { ResolvedPasswordHasherOptions } from '../options.js'

/** The hash schemes the hasher reads. */
export type PasswordScheme = 'argon2id' | 'argon2i' | 'argon2d' | 'scrypt' | 'pbkdf2-sha256'

/** A stored hash, parsed: what to recompute from a candidate password and what to compare it with. */
export interface ParsedPasswordHash {
  readonly scheme: PasswordScheme
  /** The stored digest. */
  readonly expected: Buffer
  /** Whether the password is normalised (the hasher's setting) or used raw (the seed's PBKDF2). */
  readonly normalize: boolean
  /** Recomputes the digest for a candidate password (bytes already normalised as `normalize` says). */
  derive(password: Buffer): Promise<Buffer>
  /** Whether the current policy would make a different hash (scheme, costs, salt or digest length). */
  outdated(policy: ResolvedPasswordHasherOptions): boolean
}

/** Salt and digest lengths of new hashes (bytes). */
export const SALT_BYTES = 16
export const DIGEST_BYTES = 32

/** Digest lengths accepted in stored hashes (bytes). */
export const MIN_DIGEST_BYTES = 16
export const MAX_DIGEST_BYTES = 128
export const MAX_SALT_BYTES = 1024

/** `k=v,k=v` with exactly the keys given, in order, each a decimal integer without leading zeros. */
export function parseIntegerParameters(text: string, names: readonly string[]): number[] | null {
  const pairs = text.split(',')
  if (pairs.length !== names.length) return null
  const values: number[] = []
  for (const [index, pair] of pairs.entries()) {
    const match = /^([a-z]+)=(0|[1-9][0-9]{0,9})$/.exec(pair)
    if (match === null || match[1] !== names[index]) return null
    values.push(Number(match[2]))
  }
  return values
}

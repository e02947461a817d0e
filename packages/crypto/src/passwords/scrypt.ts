import { randomBytes, scrypt } from 'node:crypto'
import { decodeB64, encodeB64 } from '../encoding.js'
import { UnsupportedHashError } from '../errors.js'
import { MAX_MEMORY_BYTES, type ResolvedPasswordHasherOptions } from '../options.js'
import {
  DIGEST_BYTES,
  MAX_DIGEST_BYTES,
  MAX_SALT_BYTES,
  MIN_DIGEST_BYTES,
  type ParsedPasswordHash,
  parseIntegerParameters,
  SALT_BYTES,
} from './stored-hash.js'

interface ScryptParameters {
  readonly cost: number
  readonly blockSize: number
  readonly parallelization: number
}

/** node:crypto's async scrypt (thread pool) with `maxmem` set to what these parameters need, no more. */
function derive(password: Buffer, salt: Buffer, length: number, parameters: ScryptParameters): Promise<Buffer> {
  const { cost: N, blockSize: r, parallelization: p } = parameters
  // OpenSSL needs 128 r (N + p + 2) bytes (V, B and X); a little more for rounding.
  const maxmem = 128 * r * (N + p + 2) + 64 * 1024
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { N, r, p, maxmem }, (error, digest) => (error ? reject(error) : resolve(digest)))
  })
}

/** A new scrypt hash: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<digest>` (PHC, unpadded base64). */
export async function hashScrypt(password: Buffer, policy: ResolvedPasswordHasherOptions): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const digest = await derive(password, salt, DIGEST_BYTES, policy.scrypt)
  const { cost, blockSize, parallelization } = policy.scrypt
  return `$scrypt$ln=${Math.log2(cost)},r=${blockSize},p=${parallelization}$${encodeB64(salt)}$${encodeB64(digest)}`
}

const SCRYPT = /^\$scrypt\$([^$]+)\$([^$]*)\$([^$]*)$/

/** Parses `$scrypt$ln=..,r=..,p=..$salt$digest`; null when it is not scrypt at all. */
export function parseScrypt(stored: string): ParsedPasswordHash | null {
  if (!stored.startsWith('$scrypt$')) return null
  const match = SCRYPT.exec(stored)
  if (match === null) throw new UnsupportedHashError('the scrypt hash is not in PHC form ($scrypt$ln=,r=,p=$salt$hash)')
  const numbers = parseIntegerParameters(match[1] as string, ['ln', 'r', 'p'])
  if (numbers === null) throw new UnsupportedHashError('the scrypt hash parameters must be exactly ln=..,r=..,p=..')
  const [ln, blockSize, parallelization] = numbers as [number, number, number]
  if (ln < 1 || ln > 20 || blockSize < 1 || blockSize > 32 || parallelization < 1 || parallelization > 16) {
    throw new UnsupportedHashError(
      `the scrypt hash parameters ln=${ln},r=${blockSize},p=${parallelization} are out of bounds`,
    )
  }
  const cost = 2 ** ln
  if (128 * blockSize * (cost + parallelization + 2) > MAX_MEMORY_BYTES) {
    throw new UnsupportedHashError('the scrypt hash parameters need more than 1 GiB of memory')
  }
  const salt = decodeB64(match[2] as string)
  const expected = decodeB64(match[3] as string)
  if (salt === null || salt.length === 0 || salt.length > MAX_SALT_BYTES) {
    throw new UnsupportedHashError('the scrypt hash salt is not unpadded base64')
  }
  if (expected === null || expected.length < MIN_DIGEST_BYTES || expected.length > MAX_DIGEST_BYTES) {
    throw new UnsupportedHashError('the scrypt hash digest is not 16..128 bytes of unpadded base64')
  }
  const parameters = { cost, blockSize, parallelization }
  return {
    scheme: 'scrypt',
    expected,
    normalize: true,
    derive: (password) => derive(password, salt, expected.length, parameters),
    outdated: (policy) =>
      policy.algorithm !== 'scrypt' ||
      cost !== policy.scrypt.cost ||
      blockSize !== policy.scrypt.blockSize ||
      parallelization !== policy.scrypt.parallelization ||
      salt.length !== SALT_BYTES ||
      expected.length !== DIGEST_BYTES,
  }
}

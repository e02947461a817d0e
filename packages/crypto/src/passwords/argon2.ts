import { randomBytes } from 'node:crypto'
import { type Algorithm, hashRaw, type Version } from '@node-rs/argon2'
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

// @node-rs/argon2 declares these as ambient const enums, which isolatedModules cannot read: their values.
const ALGORITHMS = { argon2d: 0 as Algorithm, argon2i: 1 as Algorithm, argon2id: 2 as Algorithm } as const
const VERSIONS = { 16: 0 as Version, 19: 1 as Version } as const

type Variant = keyof typeof ALGORITHMS

interface Argon2Parameters {
  readonly variant: Variant
  readonly version: 16 | 19
  readonly memoryCost: number
  readonly timeCost: number
  readonly parallelism: number
  readonly salt: Buffer
  readonly outputLen: number
}

function derive(password: Buffer, parameters: Argon2Parameters): Promise<Buffer> {
  // The async API runs on the libuv thread pool, off the event loop.
  return hashRaw(password, {
    algorithm: ALGORITHMS[parameters.variant],
    version: VERSIONS[parameters.version],
    memoryCost: parameters.memoryCost,
    timeCost: parameters.timeCost,
    parallelism: parameters.parallelism,
    outputLen: parameters.outputLen,
    salt: parameters.salt,
  })
}

/** A new Argon2id hash: `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<digest>` (PHC, unpadded base64). */
export async function hashArgon2id(password: Buffer, policy: ResolvedPasswordHasherOptions): Promise<string> {
  const { memoryCost, timeCost, parallelism } = policy.argon2
  const salt = randomBytes(SALT_BYTES)
  const digest = await derive(password, {
    variant: 'argon2id',
    version: 19,
    memoryCost,
    timeCost,
    parallelism,
    salt,
    outputLen: DIGEST_BYTES,
  })
  return `$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$${encodeB64(salt)}$${encodeB64(digest)}`
}

const ARGON2 = /^\$(argon2id|argon2i|argon2d)\$(?:v=(16|19)\$)?([^$]+)\$([^$]*)\$([^$]*)$/

/** Parses `$argon2{id,i,d}$[v=19$]m=..,t=..,p=..$salt$digest`; null when it is not Argon2 at all. */
export function parseArgon2(stored: string): ParsedPasswordHash | null {
  if (!stored.startsWith('$argon2')) return null
  const match = ARGON2.exec(stored)
  if (match === null)
    throw new UnsupportedHashError('the Argon2 hash is not in PHC form ($argon2id$v=19$m=,t=,p=$salt$hash)')
  const variant = match[1] as Variant
  const numbers = parseIntegerParameters(match[3] as string, ['m', 't', 'p'])
  if (numbers === null) throw new UnsupportedHashError('the Argon2 hash parameters must be exactly m=..,t=..,p=..')
  const [memoryCost, timeCost, parallelism] = numbers as [number, number, number]
  if (parallelism < 1 || parallelism > 16 || timeCost < 1 || timeCost > 20) {
    throw new UnsupportedHashError(`the Argon2 hash parameters t=${timeCost},p=${parallelism} are out of bounds`)
  }
  if (memoryCost < 8 * parallelism || memoryCost > MAX_MEMORY_BYTES / 1024) {
    throw new UnsupportedHashError(`the Argon2 hash memory m=${memoryCost} KiB is out of bounds (8 x p .. 1 GiB)`)
  }
  const salt = decodeB64(match[4] as string)
  const expected = decodeB64(match[5] as string)
  if (salt === null || salt.length < 8 || salt.length > MAX_SALT_BYTES) {
    throw new UnsupportedHashError('the Argon2 hash salt is not 8 or more bytes of unpadded base64')
  }
  if (expected === null || expected.length < MIN_DIGEST_BYTES || expected.length > MAX_DIGEST_BYTES) {
    throw new UnsupportedHashError('the Argon2 hash digest is not 16..128 bytes of unpadded base64')
  }
  const parameters: Argon2Parameters = {
    variant,
    version: match[2] === '19' ? 19 : 16,
    memoryCost,
    timeCost,
    parallelism,
    salt,
    outputLen: expected.length,
  }
  return {
    scheme: variant,
    expected,
    normalize: true,
    derive: (password) => derive(password, parameters),
    outdated: (policy) =>
      policy.algorithm !== 'argon2id' ||
      variant !== 'argon2id' ||
      parameters.version !== 19 ||
      memoryCost !== policy.argon2.memoryCost ||
      timeCost !== policy.argon2.timeCost ||
      parallelism !== policy.argon2.parallelism ||
      salt.length !== SALT_BYTES ||
      expected.length !== DIGEST_BYTES,
  }
}

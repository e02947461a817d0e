import { createPrivateKey, createPublicKey, type JsonWebKey, KeyObject } from 'node:crypto'
import { ALGORITHMS, HMAC_ALGORITHMS, isHmac, type JwtAlgorithm, keyMismatch, MIN_SECRET_BYTES } from './algorithms.js'
import { createSigner, createVerifier, type Signer, type Verifier } from './engine.js'

/** One key of the keyring. */
export interface JwtKey {
  /** Matched against the token header's `kid`. At most one key of the keyring may go without. */
  kid?: string
  /** The one algorithm this key verifies (and signs) with; a token with another `alg` is refused. */
  algorithm: JwtAlgorithm
  /** HS256/384/512: the shared secret, at least 32/48/64 bytes, no surrounding whitespace. */
  secret?: string | Uint8Array
  /** RS/PS/ES/EdDSA: the public key (PEM, `KeyObject` or JWK) that verifies tokens. */
  publicKey?: string | KeyObject | JsonWebKey
  /** RS/PS/ES/EdDSA: the private key (PEM, `KeyObject` or JWK) that signs tokens; its public half verifies. */
  privateKey?: string | KeyObject | JsonWebKey
}

/** A key ready to verify with: its pinned algorithm and its prebuilt verifier. */
export interface VerificationKey {
  readonly kid: string | undefined
  readonly algorithm: JwtAlgorithm
  readonly source: 'keys' | 'jwks'
  readonly verify: Verifier
}

/** A key ready to sign with. */
export interface SigningKey {
  readonly kid: string | undefined
  readonly algorithm: JwtAlgorithm
  readonly sign: Signer
}

/** Throws the package's invalid-option error for `where`. */
export type KeyFailure = (where: string, problem: string, ...value: [unknown?]) => never

/** A `kid`: 1..256 visible ASCII characters. Only ever a `Map` key, never a path, URL or query. */
export const KID_PATTERN: RegExp = /^[\x21-\x7e]{1,256}$/

const PEM_BEGIN = '-----BEGIN '

function engineMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A verifier pinned to one algorithm and one key; fast-jwt refuses a mismatch of the two at once. */
export function buildVerifier(
  fail: KeyFailure,
  where: string,
  key: string | Buffer,
  algorithm: JwtAlgorithm,
): Verifier {
  try {
    return createVerifier({
      key,
      algorithms: [algorithm],
      ignoreExpiration: true,
      ignoreNotBefore: true,
      cache: false,
    })
  } catch (error) {
    return fail(where, `cannot verify ${algorithm}: ${engineMessage(error)}`)
  }
}

function resolveSecret(fail: KeyFailure, where: string, algorithm: JwtAlgorithm, value: unknown): Buffer {
  const min = MIN_SECRET_BYTES[algorithm] as number
  let bytes: Buffer
  if (typeof value === 'string') {
    if (/^\s|\s$/.test(value)) {
      fail(where, 'has leading or trailing whitespace (a newline from an env file?); remove it')
    }
    if (value.includes(PEM_BEGIN) || value.startsWith('{')) {
      fail(where, `looks like a PEM or JWK key; ${algorithm} needs a random secret (use publicKey for RS/PS/ES/EdDSA)`)
    }
    bytes = Buffer.from(value, 'utf8')
  } else if (value instanceof Uint8Array) {
    bytes = Buffer.from(value)
  } else {
    return fail(where, 'must be a string or a Uint8Array', value)
  }
  if (bytes.length < min) {
    fail(
      where,
      `must be at least ${min} bytes for ${algorithm} (got ${bytes.length}); generate one with crypto.randomBytes(${min})`,
    )
  }
  return bytes
}

function checkPem(fail: KeyFailure, where: string, pem: string): void {
  if (!pem.startsWith(PEM_BEGIN)) {
    fail(
      where,
      pem.trimStart().startsWith(PEM_BEGIN)
        ? 'has leading whitespace before -----BEGIN; remove it'
        : 'must be a PEM key, a KeyObject or a JWK',
    )
  }
}

function toPublicKey(fail: KeyFailure, where: string, value: unknown): KeyObject {
  try {
    if (typeof value === 'string') {
      checkPem(fail, where, value)
      if (value.includes('PRIVATE KEY')) fail(where, 'is a private key; give it as privateKey')
      return createPublicKey(value)
    }
    if (value instanceof KeyObject) {
      if (value.type !== 'public') fail(where, `must be a public KeyObject (got a ${value.type} one)`)
      return value
    }
    if (value !== null && typeof value === 'object') {
      if ('d' in value || (value as JsonWebKey).kty === 'oct')
        fail(where, 'is a private or symmetric JWK, not a public key')
      return createPublicKey({ key: value as JsonWebKey, format: 'jwk' })
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('RAMPART_')) throw error
    fail(where, `is not a readable public key: ${engineMessage(error)}`)
  }
  return fail(where, 'must be a PEM string, a KeyObject or a JWK', value)
}

function toPrivateKey(fail: KeyFailure, where: string, value: unknown): KeyObject {
  try {
    if (typeof value === 'string') {
      checkPem(fail, where, value)
      return createPrivateKey(value)
    }
    if (value instanceof KeyObject) {
      if (value.type !== 'private') fail(where, `must be a private KeyObject (got a ${value.type} one)`)
      return value
    }
    if (value !== null && typeof value === 'object') {
      return createPrivateKey({ key: value as JsonWebKey, format: 'jwk' })
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('RAMPART_')) throw error
    fail(where, `is not a readable private key: ${engineMessage(error)}`)
  }
  return fail(where, 'must be a PEM string, a KeyObject or a JWK', value)
}

function spki(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }) as string
}

/** The verifying and (when it can sign) signing halves of one keyring entry. */
export interface ResolvedKeyPair {
  readonly verification: VerificationKey
  readonly signing: SigningKey | undefined
}

/** Where a keyring entry came from: `keys[0]` (fields `keys[0].secret`, ...) or the `secret` shorthand (fields `secret`, `algorithm`). */
export interface KeyEntry {
  readonly where: string
  readonly entry: unknown
  /** The option name of one of its fields. */
  readonly field: (name: string) => string
}

/** Validates one keyring entry and builds its verifier (and signer, when it has the material to sign). */
export function resolveKey(fail: KeyFailure, { where, entry, field }: KeyEntry): ResolvedKeyPair {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(where, 'must be an object', entry)
  const given = entry as Record<string, unknown>
  for (const name of Object.keys(given)) {
    if (!['kid', 'algorithm', 'secret', 'publicKey', 'privateKey'].includes(name)) {
      fail(field(name), 'is not a known option; known options are: kid, algorithm, secret, publicKey, privateKey')
    }
  }
  const kid = given.kid
  if (kid !== undefined && (typeof kid !== 'string' || !KID_PATTERN.test(kid))) {
    fail(field('kid'), 'must be 1..256 visible ASCII characters', kid)
  }
  const algorithm = given.algorithm as JwtAlgorithm
  if ((algorithm as string) === 'none')
    fail(field('algorithm'), 'must not be "none": unsigned tokens are never accepted')
  if (!ALGORITHMS.includes(algorithm)) {
    fail(field('algorithm'), `must be one of ${ALGORITHMS.join(', ')}`, algorithm)
  }
  const keyId = kid as string | undefined
  if (isHmac(algorithm)) {
    if (given.publicKey !== undefined || given.privateKey !== undefined) {
      fail(where, `${algorithm} takes a secret, not publicKey/privateKey`)
    }
    const secret = resolveSecret(fail, field('secret'), algorithm, given.secret)
    const verify = buildVerifier(fail, where, secret, algorithm)
    let sign: Signer
    try {
      sign = createSigner({ key: secret, algorithm, ...(keyId === undefined ? {} : { kid: keyId }) })
    } catch (error) {
      return fail(where, `cannot sign ${algorithm}: ${engineMessage(error)}`)
    }
    return Object.freeze({
      verification: Object.freeze({ kid: keyId, algorithm, source: 'keys' as const, verify }),
      signing: Object.freeze({ kid: keyId, algorithm, sign }),
    })
  }
  if (given.secret !== undefined) {
    fail(field('secret'), `is for ${HMAC_ALGORITHMS.join('/')}; ${algorithm} takes publicKey (and privateKey to sign)`)
  }
  if (given.publicKey === undefined && given.privateKey === undefined) {
    fail(where, `${algorithm} needs publicKey (to verify) and/or privateKey (to sign)`)
  }
  const privateKey =
    given.privateKey === undefined ? undefined : toPrivateKey(fail, field('privateKey'), given.privateKey)
  let publicKey: KeyObject
  if (given.publicKey === undefined) publicKey = createPublicKey(privateKey as KeyObject)
  else {
    publicKey = toPublicKey(fail, field('publicKey'), given.publicKey)
    if (privateKey !== undefined && spki(createPublicKey(privateKey)) !== spki(publicKey)) {
      fail(where, 'publicKey and privateKey are not one key pair')
    }
  }
  const mismatch = keyMismatch(algorithm, publicKey)
  if (mismatch !== undefined) fail(where, `${mismatch}; it cannot be used with ${algorithm}`)
  const verify = buildVerifier(fail, where, spki(publicKey), algorithm)
  let signing: SigningKey | undefined
  if (privateKey !== undefined) {
    try {
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
      const sign = createSigner({ key: pem, algorithm, ...(keyId === undefined ? {} : { kid: keyId }) })
      signing = Object.freeze({ kid: keyId, algorithm, sign })
    } catch (error) {
      fail(field('privateKey'), `cannot sign ${algorithm}: ${engineMessage(error)}`)
    }
  }
  return Object.freeze({
    verification: Object.freeze({ kid: keyId, algorithm, source: 'keys' as const, verify }),
    signing,
  })
}

/** The static keys: by `kid`, the one without a `kid`, and the key tokens are signed with. */
export interface Keyring {
  readonly byKid: ReadonlyMap<string, VerificationKey>
  readonly withoutKid: VerificationKey | undefined
  readonly signing: SigningKey | undefined
  readonly size: number
}

/** Resolves the keyring: unique kids, at most one key without a kid, the signing key chosen by `signingKid`. */
export function resolveKeyring(
  fail: KeyFailure,
  entries: readonly KeyEntry[],
  signingKid: string | undefined,
): Keyring {
  const byKid = new Map<string, VerificationKey>()
  let withoutKid: VerificationKey | undefined
  let signing: SigningKey | undefined
  let signingFound = false
  for (const entry of entries) {
    const where = entry.where
    const pair = resolveKey(fail, entry)
    const kid = pair.verification.kid
    if (kid === undefined) {
      if (withoutKid !== undefined) fail(where, 'is a second key without a kid; give every key but one a kid')
      withoutKid = pair.verification
    } else {
      if (byKid.has(kid)) fail(entry.field('kid'), 'is the kid of another key', kid)
      byKid.set(kid, pair.verification)
    }
    if (signingKid === undefined ? signing === undefined : kid === signingKid) {
      signingFound ||= signingKid !== undefined
      if (signingKid !== undefined && pair.signing === undefined) {
        fail('signingKid', 'names a key that cannot sign (no secret or privateKey)', signingKid)
      }
      signing = pair.signing
    }
  }
  if (signingKid !== undefined && !signingFound) fail('signingKid', 'is not the kid of any key', signingKid)
  return Object.freeze({ byKid, withoutKid, signing, size: byKid.size + (withoutKid === undefined ? 0 : 1) })
}

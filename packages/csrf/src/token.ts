import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** What a token is bound to: the session id, or the pre-session id of a visitor with no session yet. */
export interface Binding {
  /** `s`: a session id from the `sessionId` option; `p`: a pre-session id from the pre-session cookie. */
  readonly kind: 's' | 'p'
  readonly id: string
}

/** Bytes of the random part of a token and of a pre-session id. */
export const RANDOM_BYTES = 32
/** base64url length of 32 bytes, unpadded. */
const PART_LENGTH = 43
export const TOKEN_LENGTH = PART_LENGTH * 2 + 1
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/
/** The token key is derived from the secret, so a secret shared with other packages never signs the same messages. */
const KEY_LABEL = 'rampart csrf token key v1'

/** 32 random bytes, base64url: the random part of a token, or a pre-session id. */
export function randomId(): string {
  return randomBytes(RANDOM_BYTES).toString('base64url')
}

/** True when `value` has the shape of a pre-session id (so a cookie of another shape is ignored). */
export function isRandomId(value: string): boolean {
  return value.length === PART_LENGTH && ID_SHAPE.test(value)
}

/** The outcome of `TokenSigner.check`. */
export const NOT_VALID = 0
export const VALID_CURRENT = 1
export const VALID_OLDER_KEY = 2
export type TokenCheck = typeof NOT_VALID | typeof VALID_CURRENT | typeof VALID_OLDER_KEY

/**
 * Signs and checks `<random>.<mac>` tokens, `mac` being HMAC-SHA256 over the binding and the
 * random part. The first secret signs; every secret verifies (rotation).
 */
export class TokenSigner {
  readonly #keys: readonly Buffer[]

  constructor(secrets: readonly Buffer[]) {
    this.#keys = secrets.map((secret) => createHmac('sha256', secret).update(KEY_LABEL).digest())
  }

  /** A new token for `binding`, signed with the first secret. */
  sign(binding: Binding): string {
    const random = randomId()
    return `${random}.${mac(this.#keys[0] as Buffer, binding, random)}`
  }

  /**
   * Whether `token` was signed for `binding`, and with which key. Malformed tokens are refused
   * before any HMAC is computed; the MAC is compared in constant time.
   */
  check(token: string, binding: Binding): TokenCheck {
    if (token.length !== TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return NOT_VALID
    const random = token.slice(0, PART_LENGTH)
    const given = Buffer.from(token.slice(PART_LENGTH + 1), 'latin1')
    let result: TokenCheck = NOT_VALID
    for (let i = this.#keys.length - 1; i >= 0; i--) {
      const expected = Buffer.from(mac(this.#keys[i] as Buffer, binding, random), 'latin1')
      if (timingSafeEqual(expected, given)) result = i === 0 ? VALID_CURRENT : VALID_OLDER_KEY
    }
    return result
  }
}

/**
 * The message is length-delimited: `<kind>:<id length>:<id>:<random>`, so no session id and
 * random part can be shifted into another pair with the same bytes, and a session id can never
 * be read as a pre-session id.
 */
function mac(key: Buffer, binding: Binding, random: string): string {
  return createHmac('sha256', key)
    .update(`${binding.kind}:${binding.id.length}:${binding.id}:${random}`)
    .digest('base64url')
}

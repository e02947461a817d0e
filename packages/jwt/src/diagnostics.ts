import { EventChannel, type Identity, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** `rampart:jwt:verified`: a token's signature and claims were checked (a cache miss) and it was accepted. */
export interface VerifiedEvent extends RequestEvent {
  /** The identity built from the token (also cached: repeats of the token publish nothing). */
  identity: Identity
  /** `kid` of the key that verified it, `null` for the keyring's key without a kid. */
  kid: string | null
  /** Where the key came from. */
  source: 'keys' | 'jwks'
}

/** Why a token was refused. */
export type RejectionReason =
  /** No token on a route that requires one (standalone plugin only). */
  | 'missing'
  /** `Authorization: Bearer` without exactly one token, or the token sent twice in the query. */
  | 'malformed-request'
  /** Longer than `maxTokenLength`: refused without being parsed. */
  | 'too-large'
  /** Not three base64url segments of JSON objects. */
  | 'malformed'
  /** `alg: none`, an algorithm other than the key's, or an encrypted (JWE) token. */
  | 'algorithm'
  /** A `kid` no configured or JWKS key has, or no `kid` where one is needed. */
  | 'unknown-key'
  /** The signature does not verify. */
  | 'signature'
  /** `exp` has passed (beyond the clock tolerance). */
  | 'expired'
  /** `nbf` is still ahead (beyond the clock tolerance). */
  | 'not-yet-valid'
  /** `iss`, `aud`, `sub`, `exp` or `jti` missing or not allowed. */
  | 'claims'
  /** Its `jti` is on the denylist. */
  | 'revoked'
  /** The JWKS or the denylist failed (standalone plugin: 503). */
  | 'unavailable'
  /** Authenticated, without a scope the route requires (standalone plugin: 403). */
  | 'insufficient-scope'

/** `rampart:jwt:rejected`: a token (or its absence) was refused. */
export interface RejectedEvent extends RequestEvent {
  reason: RejectionReason
  /** The `error_description` sent: `token expired`, `invalid token: signature`, ... */
  description: string
}

export const verifiedChannel: EventChannel<VerifiedEvent> = new EventChannel<VerifiedEvent>(PACKAGE, 'verified')
export const rejectedChannel: EventChannel<RejectedEvent> = new EventChannel<RejectedEvent>(PACKAGE, 'rejected')

/**
 * The four request headers of a signed request. Lower-case, as Node exposes them; names are
 * case-insensitive on the wire. These names are part of the protocol: they do not change.
 */
export const SIGNATURE_HEADERS = Object.freeze({
  /** Id of the key (in the server's `keys` map) the request is signed with. */
  keyId: 'x-signature-key-id',
  /** Lower-case hex HMAC-SHA256 (64 characters) of the canonical string. */
  signature: 'x-signature',
  /** Unix time in seconds (decimal digits) when the request was signed. */
  timestamp: 'x-signature-timestamp',
  /** 16 to 128 characters of `A-Z a-z 0-9 - _`, never reused with the same key. */
  nonce: 'x-signature-nonce',
})

/** The headers `signRequest` returns, ready for `fetch`, undici or any HTTP client. */
export interface SignatureHeaders {
  'x-signature-key-id': string
  'x-signature': string
  'x-signature-timestamp': string
  'x-signature-nonce': string
  [name: string]: string
}

/** A key id: what the `keys` option's names and the `X-Signature-Key-Id` header may contain. */
export const KEY_ID_PATTERN: RegExp = /^[A-Za-z0-9._~-]{1,64}$/
/** A nonce: URL-safe characters (base64url without padding, UUIDs, hex), 16 to 128 of them. */
export const NONCE_PATTERN: RegExp = /^[A-Za-z0-9_-]{16,128}$/
/** A timestamp: Unix seconds, 1 to 12 decimal digits (no sign, no spaces, no fraction). */
export const TIMESTAMP_PATTERN: RegExp = /^[0-9]{1,12}$/
/** A signature: 64 hex digits (either case; signers should send lower case). */
export const SIGNATURE_PATTERN: RegExp = /^[0-9a-fA-F]{64}$/

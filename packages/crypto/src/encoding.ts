const BASE64URL = /^[A-Za-z0-9_-]*$/
const BASE64 = /^[A-Za-z0-9+/]*$/

/**
 * Decodes unpadded base64url, strictly: only the alphabet, and only the one canonical spelling of the
 * bytes. Node's decoder ignores stray characters and the unused low bits of the last character, so
 * without the re-encoding check two different strings would decode to the same bytes and an altered
 * token could still decrypt. Returns null for anything else.
 */
export function decodeBase64Url(text: string): Buffer | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null
  const bytes = Buffer.from(text, 'base64url')
  return bytes.toString('base64url') === text ? bytes : null
}

/** Unpadded standard base64, the encoding of the PHC string format. */
export function encodeB64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '')
}

/** Decodes unpadded standard base64 (PHC), canonical spelling only; null otherwise. */
export function decodeB64(text: string): Buffer | null {
  if (!BASE64.test(text) || text.length % 4 === 1) return null
  const bytes = Buffer.from(text, 'base64')
  return encodeB64(bytes) === text ? bytes : null
}

/**
 * Decodes Python's `base64.urlsafe_b64encode` output (padded base64url, as the seed stores salts and
 * PBKDF2 hashes); the padding may be missing but, when present, must be exact. Null otherwise.
 */
export function decodePaddedBase64Url(text: string): Buffer | null {
  const unpadded = text.replace(/={1,2}$/, '')
  if (unpadded.length !== text.length && text.length % 4 !== 0) return null
  return decodeBase64Url(unpadded)
}

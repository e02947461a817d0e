/**
 * Base32 of RFC 4648 section 6 (alphabet `A-Z2-7`), the encoding of TOTP secrets in `otpauth://`
 * URIs and authenticator apps.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** Character code -> 5-bit value, -1 outside the alphabet; lower case is accepted when decoding. */
const VALUES: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1)
  for (let index = 0; index < ALPHABET.length; index++) {
    values[ALPHABET.charCodeAt(index)] = index
    values[ALPHABET.toLowerCase().charCodeAt(index)] = index
  }
  return values
})()

/**
 * Unpadded lengths a quantum can end with: 2, 4, 5, 7 characters carry 1, 2, 3, 4 bytes; 1, 3 and 6
 * characters cannot be the end of any encoding.
 */
const VALID_REMAINDERS = new Set([0, 2, 4, 5, 7])

/** Encodes bytes; without padding by default (as `otpauth://` URIs carry secrets), with `=` padding on request. */
export function base32Encode(bytes: Uint8Array, { padding = false }: { padding?: boolean } = {}): string {
  let output = ''
  let buffer = 0
  let bits = 0
  for (let index = 0; index < bytes.length; index++) {
    buffer = ((buffer << 8) | (bytes[index] as number)) & 0xfff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      output += ALPHABET[(buffer >>> bits) & 31]
    }
  }
  if (bits > 0) output += ALPHABET[(buffer << (5 - bits)) & 31]
  if (padding) while (output.length % 8 !== 0) output += '='
  return output
}

/**
 * Decodes base32, upper or lower case, padded or not; `null` for anything that is not a canonical
 * encoding (a character outside the alphabet, an impossible length, non-zero bits after the last
 * byte, misplaced padding). Never throws.
 */
export function base32Decode(text: string): Buffer | null {
  if (typeof text !== 'string') return null
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 0x3d /* = */) end--
  if (end < text.length && text.length % 8 !== 0) return null
  if (text.length - end > 6 || !VALID_REMAINDERS.has(end % 8)) return null
  const output = Buffer.allocUnsafe(Math.floor((end * 5) / 8))
  let buffer = 0
  let bits = 0
  let length = 0
  for (let index = 0; index < end; index++) {
    const code = text.charCodeAt(index)
    const value = code < 128 ? (VALUES[code] as number) : -1
    if (value < 0) return null
    buffer = ((buffer << 5) | value) & 0xfff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      output[length++] = (buffer >>> bits) & 0xff
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return null
  return output
}

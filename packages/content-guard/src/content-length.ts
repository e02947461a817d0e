/** `Content-Length` is `1*DIGIT` (RFC 9110 section 8.6); anything else is malformed. */
export const MALFORMED = -1

/**
 * The value of a `Content-Length` header, or `MALFORMED` (-1) for anything but `1*DIGIT`: empty,
 * signs, exponents, hex, whitespace, lists (`5, 5`) and repeated headers are all malformed. Values
 * past 2^53 come back as a (larger) float, which is over every limit. Never throws.
 */
export function parseContentLength(value: string | readonly string[]): number {
  if (typeof value !== 'string' || value.length === 0) return MALFORMED
  let length = 0
  for (let i = 0; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return MALFORMED
    length = length * 10 + digit
  }
  return length
}

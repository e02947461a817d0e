/**
 * Whether a raw request target (path and query) carries a NUL byte, raw or percent-encoded. `%00` is
 * the only escape that decodes to NUL (its digits have no case); `%2500` decodes to the text `%00`
 * and is not one. Two native substring scans, no regex, no allocation.
 */
export function hasNullByte(url: string): boolean {
  return url.includes('%00') || url.includes('\0')
}

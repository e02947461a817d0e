/** Header, query parameter and body field names whose values are credentials: never sampled. */
export const SENSITIVE_NAME: RegExp =
  /pass(?:word|wd|phrase)?|pwd|secret|token|auth|api[-_]?key|session|cookie|credential|signature|otp|csrf|xsrf|private[-_]?key|ssn|card[-_]?number|cvv/i

export const REDACTED = '[redacted]'

/** Characters of context kept before the match. */
const LEAD = 16

/**
 * The matched text with a little context before it, at most `length` characters, with control
 * characters escaped (`\x0a`) so that a sample cannot forge log lines.
 */
export function sampleOf(text: string, index: number, length: number): string {
  const start = Math.max(0, index - LEAD)
  const slice = text.slice(start, start + length)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point
  const escaped = slice.replace(/[\x00-\x1f\x7f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return escaped.length > length ? escaped.slice(0, length) : escaped
}

/** The first `length` characters of a value, escaped like a sample. */
export function truncated(text: string, length: number): string {
  return sampleOf(text, 0, length)
}

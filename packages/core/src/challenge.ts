/**
 * An RFC 9110 quoted-string: `"` and `\` escaped; control characters and anything outside printable
 * ASCII dropped, so no description can break the header.
 */
export function quoted(value: string): string {
  let out = '"'
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code === 0x22 || code === 0x5c) out += `\\${value[i]}`
    else if (code >= 0x20 && code <= 0x7e) out += value[i]
  }
  return `${out}"`
}

/**
 * A challenge with more auth-params (`error`, `error_description`, `scope`, RFC 6750 section 3):
 * appended after a comma when the challenge has params, after a space when it is a bare scheme.
 */
export function challengeWith(challenge: string, params: readonly (readonly [string, string])[]): string {
  const extra = params.map(([name, value]) => `${name}=${quoted(value)}`).join(', ')
  return challenge.includes(' ') ? `${challenge}, ${extra}` : `${challenge} ${extra}`
}

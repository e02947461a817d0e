import { isIPv4, isIPv6 } from 'node:net'
import { domainToASCII } from 'node:url'

/** One entry of `allowedHosts`, parsed and normalised at register. */
export interface HostEntry {
  /** `any` for `*`, `exact` for a host name or IP literal, `wildcard` for `*.example.com`. */
  readonly kind: 'any' | 'exact' | 'wildcard'
  /**
   * Lowercase, without a trailing dot; IPv6 literals bracketed and canonical (`[::1]`).
   * For `wildcard`, the name after `*.` (`example.com`). Empty for `any`.
   */
  readonly name: string
  /** The port the entry is pinned to (`'8443'`), or `undefined` for any port. */
  readonly port: string | undefined
  /** The entry as it matches: `*.example.com:8443`, `[::1]`, `example.com`. */
  readonly text: string
}

/** A DNS label: letters, digits, `-` and `_` (common in internal names), not starting or ending with `-`. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/
const PORT = /^[1-9][0-9]{0,4}$/
const NUMERIC = /^[0-9]+$/

/** Parses one `allowedHosts` entry. Returns the entry, or a sentence saying what is wrong with it. */
export function parseHostEntry(entry: string): HostEntry | string {
  const text = entry.toLowerCase()
  if (text === '*') return Object.freeze({ kind: 'any', name: '', port: undefined, text })
  if (/\s/.test(text)) return 'must not contain whitespace'
  if (text.includes('/') || text.includes('@')) {
    return 'must be a host as sent in the Host header (example.com, example.com:8443), not a URL'
  }
  let rest = text
  const wildcard = rest.startsWith('*.')
  if (wildcard) rest = rest.slice(2)
  if (rest.includes('*')) return "may use '*' only alone or as a whole leading label ('*.example.com')"

  let name: string
  let port: string | undefined
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']')
    if (end === -1) return 'has "[" without "]"'
    name = rest.slice(0, end + 1)
    const after = rest.slice(end + 1)
    if (after.length > 0) {
      if (!after.startsWith(':')) return 'has text after the IPv6 literal that is not a ":port"'
      port = after.slice(1)
    }
    if (wildcard) return 'cannot apply a wildcard to an IP address'
    const address = name.slice(1, -1)
    if (address.includes('%')) return 'must not carry an IPv6 zone id (never valid in a Host)'
    if (!isIPv6(address)) return 'is not a valid IPv6 literal'
    name = new URL(`http://${name}`).hostname
  } else {
    const colon = rest.lastIndexOf(':')
    if (colon !== -1 && rest.indexOf(':') !== colon) return 'must bracket an IPv6 address: "[::1]" or "[::1]:3000"'
    name = colon === -1 ? rest : rest.slice(0, colon)
    if (colon !== -1) port = rest.slice(colon + 1)
    if (name.endsWith('.')) name = name.slice(0, -1)
    if (name.length === 0) return 'has no host name'
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range itself
    if (/[^\x00-\x7f]/.test(name)) {
      const ascii = domainToASCII(name)
      if (ascii.length === 0) return 'is not a valid internationalised host name'
      const suggestion = `${wildcard ? '*.' : ''}${ascii}${port === undefined ? '' : `:${port}`}`
      const problem = parseHostEntry(suggestion)
      if (typeof problem === 'string') return `is not a valid host name: as ASCII ("${suggestion}") it ${problem}`
      return `must be written in ASCII as browsers send it: "${suggestion}"`
    }
    if (name.length > 253) return 'is longer than 253 characters'
    const labels = name.split('.')
    if (NUMERIC.test(labels[labels.length - 1] as string)) {
      if (wildcard) return 'cannot apply a wildcard to an IP address'
      if (!isIPv4(name)) return 'is neither a host name nor a dotted-quad IPv4 address'
    } else {
      for (const label of labels) {
        if (!LABEL.test(label)) return `has an invalid label "${label}"`
      }
    }
  }
  if (port !== undefined && (!PORT.test(port) || Number(port) > 65535)) {
    return 'has an invalid port (1 to 65535, no leading zeros)'
  }
  const hostText = `${wildcard ? '*.' : ''}${name}${port === undefined ? '' : `:${port}`}`
  return Object.freeze({ kind: wildcard ? 'wildcard' : 'exact', name, port, text: hostText })
}

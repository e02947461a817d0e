import type { HostEntry } from './host-entry.js'

interface PortSuffix {
  readonly suffix: string
  readonly port: string
}

/**
 * Matches request hosts against parsed `allowedHosts` entries with a Set lookup and a short
 * suffix scan: no regular expression, no allocation beyond splitting off the port.
 */
export class HostMatcher {
  /** Exact names allowed on any port. */
  readonly #names = new Set<string>()
  /** Exact names allowed on listed ports only. */
  readonly #namePorts = new Map<string, Set<string>>()
  /** `.example.com` for `*.example.com`, any port. */
  readonly #suffixes: string[] = []
  /** Wildcards pinned to a port. */
  readonly #suffixPorts: PortSuffix[] = []
  readonly #hasIpv6: boolean

  /** True when an entry is `*`: every host matches, so callers need not match at all. */
  readonly matchesAny: boolean

  constructor(entries: readonly HostEntry[]) {
    let any = false
    let ipv6 = false
    for (const entry of entries) {
      if (entry.kind === 'any') any = true
      else if (entry.kind === 'wildcard') {
        const suffix = `.${entry.name}`
        if (entry.port === undefined) this.#suffixes.push(suffix)
        else this.#suffixPorts.push({ suffix, port: entry.port })
      } else {
        if (entry.name.startsWith('[')) ipv6 = true
        if (entry.port === undefined) this.#names.add(entry.name)
        else {
          let ports = this.#namePorts.get(entry.name)
          if (ports === undefined) this.#namePorts.set(entry.name, (ports = new Set()))
          ports.add(entry.port)
        }
      }
    }
    this.matchesAny = any
    this.#hasIpv6 = ipv6
  }

  /**
   * Whether a host (`example.com`, `example.com:8443`, `[::1]:3000`, lowercase as core's
   * `getClientAddress` gives it) is allowed. A trailing dot on the name is ignored; an empty
   * port (`example.com:`) is no port; a malformed host never matches.
   */
  matches(host: string): boolean {
    if (this.matchesAny) return true
    let name: string
    let port: string | undefined
    if (host.charCodeAt(0) === 91 /* [ */) {
      const end = host.indexOf(']')
      if (end === -1) return false
      name = host.slice(0, end + 1)
      if (end + 1 < host.length) {
        if (host.charCodeAt(end + 1) !== 58 /* : */) return false
        port = host.slice(end + 2)
      }
    } else {
      const colon = host.indexOf(':')
      if (colon === -1) name = host
      else {
        if (host.indexOf(':', colon + 1) !== -1) return false
        name = host.slice(0, colon)
        port = host.slice(colon + 1)
      }
      if (name.charCodeAt(name.length - 1) === 46 /* . */) name = name.slice(0, -1)
    }
    if (name.length === 0) return false
    if (port !== undefined) {
      if (port.length === 0) port = undefined
      else if (!isCanonicalPort(port)) return false
    }
    if (this.#lookup(name, port)) return true
    if (this.#hasIpv6 && name.charCodeAt(0) === 91) {
      // `[0:0::1]` is `[::1]`: canonicalise only on a miss, so the common path stays a Set lookup
      const canonical = canonicalIpv6(name)
      return canonical !== undefined && canonical !== name && this.#lookup(canonical, port)
    }
    return false
  }

  #lookup(name: string, port: string | undefined): boolean {
    if (this.#names.has(name)) return true
    if (port !== undefined && this.#namePorts.get(name)?.has(port) === true) return true
    if (this.#suffixes.length === 0 && this.#suffixPorts.length === 0) return false
    // `.example.com` or `a..example.com` are no subdomain of anything
    if (name.charCodeAt(0) === 46 || name.includes('..')) return false
    for (const suffix of this.#suffixes) {
      if (name.length > suffix.length && name.endsWith(suffix)) return true
    }
    if (port === undefined) return false
    for (const entry of this.#suffixPorts) {
      if (entry.port === port && name.length > entry.suffix.length && name.endsWith(entry.suffix)) return true
    }
    return false
  }
}

/** 1 to 65535, digits only, no leading zero. */
function isCanonicalPort(port: string): boolean {
  if (port.length > 5 || port.charCodeAt(0) === 48 /* 0 */) return false
  for (let i = 0; i < port.length; i++) {
    const code = port.charCodeAt(i)
    if (code < 48 || code > 57) return false
  }
  return Number(port) <= 65535
}

function canonicalIpv6(literal: string): string | undefined {
  try {
    return new URL(`http://${literal}`).hostname
  } catch {
    return undefined
  }
}

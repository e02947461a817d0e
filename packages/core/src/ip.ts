import { isIPv4, isIPv6 } from 'node:net'

/**
 * Normalises one textual address as it appears in a socket peer or a proxy header:
 * strips `[...]` brackets, an IPv4 `:port`, an IPv6 zone id, lowercases IPv6 and turns
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`, `::ffff:102:304`) into plain IPv4.
 * Returns `undefined` for anything that is not an IP address; never throws.
 */
export function normalizeIp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  let text = value.trim()
  if (text.length === 0 || text.length > 64) return undefined
  if (isIPv4(text)) return text
  if (text.charCodeAt(0) === 91 /* [ */) {
    const end = text.indexOf(']')
    if (end === -1) return undefined
    text = text.slice(1, end)
  } else {
    const colon = text.indexOf(':')
    // "1.2.3.4:8080": exactly one colon after a dotted quad
    if (colon !== -1 && colon === text.lastIndexOf(':')) {
      const host = text.slice(0, colon)
      return isIPv4(host) ? host : undefined
    }
  }
  const zone = text.indexOf('%')
  if (zone !== -1) text = text.slice(0, zone)
  if (!isIPv6(text)) return undefined
  text = text.toLowerCase()
  const mapped = ipv4FromMapped(text)
  return mapped ?? text
}

function ipv4FromMapped(ipv6: string): string | undefined {
  if (!ipv6.includes('ffff:')) return undefined
  const hextets = parseIpv6(ipv6)
  if (hextets === undefined) return undefined
  for (let i = 0; i < 5; i++) if (hextets[i] !== 0) return undefined
  if (hextets[5] !== 0xffff) return undefined
  const high = hextets[6] as number
  const low = hextets[7] as number
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`
}

/** Parses a valid IPv6 address (as accepted by `net.isIPv6`, no zone) into its eight 16-bit groups. */
export function parseIpv6(ipv6: string): number[] | undefined {
  let text = ipv6
  const groups: number[] = []
  // a trailing dotted quad stands for the last two groups
  const lastColon = text.lastIndexOf(':')
  let tail: number[] = []
  if (text.indexOf('.', lastColon) !== -1) {
    const quad = text.slice(lastColon + 1).split('.')
    if (quad.length !== 4) return undefined
    const bytes = quad.map(Number)
    tail = [((bytes[0] as number) << 8) | (bytes[1] as number), ((bytes[2] as number) << 8) | (bytes[3] as number)]
    text = `${text.slice(0, lastColon + 1)}0:0`
  }
  const double = text.indexOf('::')
  const parse = (part: string): number[] =>
    part.length === 0 ? [] : part.split(':').map((group) => Number.parseInt(group, 16))
  if (double === -1) {
    groups.push(...parse(text))
  } else {
    const head = parse(text.slice(0, double))
    const rest = parse(text.slice(double + 2))
    const missing = 8 - head.length - rest.length
    if (missing < 0) return undefined
    groups.push(...head, ...new Array<number>(missing).fill(0), ...rest)
  }
  if (tail.length === 2) groups.splice(6, 2, ...tail)
  if (groups.length !== 8 || groups.some((group) => Number.isNaN(group))) return undefined
  return groups
}

/**
 * The bucket an address is counted under: IPv4 addresses as they are, IPv6 addresses by
 * their first `ipv6PrefixLength` bits (`2001:db8:1:2::/64`), so one host cannot rotate
 * through its own subnet. The input must already be normalised by `normalizeIp`.
 */
export function ipBucket(ip: string, ipv6PrefixLength: number): string {
  if (!ip.includes(':') || ipv6PrefixLength >= 128) return ip
  const groups = parseIpv6(ip)
  if (groups === undefined) return ip
  let remaining = ipv6PrefixLength
  const kept: string[] = []
  for (let i = 0; i < 8 && remaining > 0; i++) {
    const bits = Math.min(16, remaining)
    const mask = bits === 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff
    kept.push(((groups[i] as number) & mask).toString(16))
    remaining -= bits
  }
  return `${kept.join(':')}::/${ipv6PrefixLength}`
}

import { isIPv4 } from 'node:net'

/**
 * Special-purpose ranges (IANA registries, RFC 6890 and successors) that are not globally
 * reachable: a client with such an address has no country, whatever a database says (some
 * databases place 192.168.0.0/16 or 2001:db8::/32 in a country). IPv4-mapped IPv6 is absent on
 * purpose: core's `normalizeIp` turns `::ffff:a.b.c.d` into `a.b.c.d` first.
 */
export const SPECIAL_RANGES: readonly string[] = Object.freeze([
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private
  '100.64.0.0/10', // shared address space (carrier-grade NAT)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation (TEST-NET-1)
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation (TEST-NET-2)
  '203.0.113.0/24', // documentation (TEST-NET-3)
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and the limited broadcast 255.255.255.255
  '::/128', // unspecified
  '::1/128', // loopback
  '64:ff9b:1::/48', // local-use IPv4/IPv6 translation
  '100::/64', // discard-only
  '2001:2::/48', // benchmarking
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
])

function ipv4Number(ip: string): number {
  let value = 0
  let part = 0
  for (let i = 0; i < ip.length; i++) {
    const code = ip.charCodeAt(i)
    if (code === 46 /* . */) {
      value = ((value << 8) | part) >>> 0
      part = 0
    } else part = part * 10 + (code - 48)
  }
  return ((value << 8) | part) >>> 0
}

const ipv4Groups = new Uint32Array(1)
const ipv6Groups = new Uint32Array(8)
const tailGroups = new Uint32Array(8)

/** Reads `ip[from, to)` (hex groups split by `:`, maybe ending in a dotted quad) into `out`; returns the count. */
function readGroups(ip: string, from: number, to: number, out: Uint32Array): number {
  let count = 0
  let value = 0
  let segment = from
  for (let i = from; i < to; i++) {
    const code = ip.charCodeAt(i)
    if (code === 58 /* : */) {
      out[count++] = value
      value = 0
      segment = i + 1
    } else if (code === 46 /* . */) {
      const quad = ipv4Number(ip.slice(segment, to))
      out[count++] = quad >>> 16
      out[count++] = quad & 0xffff
      return count
    } else value = value * 16 + (code <= 57 ? code - 48 : (code | 32) - 87)
  }
  if (to > from) out[count++] = value
  return count
}

/** The eight groups of a valid IPv6 address (no zone), in a buffer reused by every call. */
function parseIpv6Groups(ip: string): Uint32Array {
  ipv6Groups.fill(0)
  const gap = ip.indexOf('::')
  if (gap === -1) {
    readGroups(ip, 0, ip.length, ipv6Groups)
    return ipv6Groups
  }
  readGroups(ip, 0, gap, ipv6Groups)
  const count = readGroups(ip, gap + 2, ip.length, tailGroups)
  for (let i = 0; i < count; i++) ipv6Groups[8 - count + i] = tailGroups[i] as number
  return ipv6Groups
}

/**
 * The ranges compiled to masks over the address's groups (IPv4: one 32-bit group; IPv6: eight
 * 16-bit groups), as flat `[count, (index, mask, value) x count, ...]` so the check is a few
 * integer operations per range.
 */
function compile(family: 'ipv4' | 'ipv6'): Uint32Array {
  const width = family === 'ipv4' ? 32 : 16
  const flat: number[] = []
  for (const range of SPECIAL_RANGES) {
    const [address, prefixText] = range.split('/') as [string, string]
    if (isIPv4(address) !== (family === 'ipv4')) continue
    const groups = family === 'ipv4' ? [ipv4Number(address)] : parseIpv6Groups(address)
    const entries: number[] = []
    for (let index = 0, bits = Number(prefixText); bits > 0; index++, bits -= width) {
      const covered = Math.min(bits, width)
      const mask = width === 32 ? (0xffffffff << (32 - covered)) >>> 0 : (0xffff << (16 - covered)) & 0xffff
      entries.push(index, mask, ((groups[index] as number) & mask) >>> 0)
    }
    flat.push(entries.length / 3, ...entries)
  }
  return Uint32Array.from(flat)
}

const IPV4_RANGES = compile('ipv4')
const IPV6_RANGES = compile('ipv6')

function inRanges(groups: ArrayLike<number>, ranges: Uint32Array): boolean {
  let at = 0
  while (at < ranges.length) {
    const count = ranges[at] as number
    const end = at + 1 + count * 3
    let inside = true
    for (let i = at + 1; i < end; i += 3) {
      if (((groups[ranges[i] as number] as number) & (ranges[i + 1] as number)) >>> 0 !== ranges[i + 2]) {
        inside = false
        break
      }
    }
    if (inside) return true
    at = end
  }
  return false
}

/**
 * True when a normalised address (as core's `normalizeIp` gives it) is in `SPECIAL_RANGES`:
 * private, loopback, link-local, documentation, multicast or reserved. Masks on the parsed
 * address, compiled at load: `net.BlockList` costs more than the database lookup it would guard.
 */
export function isSpecialAddress(ip: string, ipv4: boolean): boolean {
  // Plain loops over typed arrays, no allocation: this runs for every client of every request.
  if (ipv4) {
    ipv4Groups[0] = ipv4Number(ip)
    return inRanges(ipv4Groups, IPV4_RANGES)
  }
  return inRanges(parseIpv6Groups(ip), IPV6_RANGES)
}

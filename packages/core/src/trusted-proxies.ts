import { BlockList, isIPv4 } from 'node:net'
import { normalizeIp } from './ip.js'

/** Named ranges accepted in a trusted proxy list, as proxy-addr and Express name them. */
export const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
})

export interface TrustedProxyList {
  /** True when `ip` (normalised) is one of the trusted proxies. */
  contains(ip: string): boolean
  /** The entries as given, for logs and start-up checks. */
  readonly entries: readonly string[]
  /** True when the list covers every address (`0.0.0.0/0` or `::/0`): almost always a misconfiguration. */
  readonly trustsEveryone: boolean
}

/**
 * Compiles a list of addresses, CIDRs (`10.0.0.0/8`, `2001:db8::/32`) and named ranges
 * (`loopback`, `linklocal`, `uniquelocal`) into a matcher. Throws a plain `Error` naming the
 * bad entry; callers turn it into their option error.
 */
export function compileTrustedProxies(entries: readonly string[]): TrustedProxyList {
  const blockList = new BlockList()
  let trustsEveryone = false
  for (const raw of entries) {
    const entry = raw.trim()
    const named = NAMED_RANGES[entry]
    if (named !== undefined) {
      for (const cidr of named) addCidr(blockList, cidr)
      continue
    }
    if (addCidr(blockList, entry) === 0) trustsEveryone = true
  }
  const frozen = Object.freeze([...entries])
  return {
    entries: frozen,
    trustsEveryone,
    contains(ip: string): boolean {
      return blockList.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6')
    },
  }
}

/** Adds one address or CIDR; returns the prefix length used. */
function addCidr(blockList: BlockList, entry: string): number {
  const slash = entry.indexOf('/')
  const address = normalizeIp(slash === -1 ? entry : entry.slice(0, slash))
  if (address === undefined) throw new Error(`"${entry}" is not an IP address or CIDR`)
  const family = isIPv4(address) ? 'ipv4' : 'ipv6'
  const max = family === 'ipv4' ? 32 : 128
  const prefixText = slash === -1 ? String(max) : entry.slice(slash + 1)
  const prefix = Number(prefixText)
  // digits only: Number() would read "10.0.0.0/" as /0 (trust everyone), "/0x8" and "/1e1" as numbers
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) {
    throw new Error(`"${entry}" has an invalid prefix length (0-${max})`)
  }
  blockList.addSubnet(address, prefix, family)
  return prefix
}

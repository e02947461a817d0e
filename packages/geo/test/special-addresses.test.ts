import { BlockList, isIPv4 } from 'node:net'
import { normalizeIp } from '@rampart/core'
import t, { type Test } from 'tap'
import { SPECIAL_RANGES } from '../src/index.js'
import { isSpecialAddress } from '../src/special-addresses.js'

// The reference: node's BlockList over the same ranges. The fast matcher must agree with it.
const reference = new BlockList()
for (const range of SPECIAL_RANGES) {
  const [address, prefix] = range.split('/') as [string, string]
  reference.addSubnet(address, Number(prefix), isIPv4(address) ? 'ipv4' : 'ipv6')
}

/** A deterministic pseudo-random sequence (xorshift32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2 ** 32
  }
}

function check(t: Test, ip: string): boolean {
  const normalised = normalizeIp(ip) as string
  const ipv4 = !normalised.includes(':')
  const expected = reference.check(normalised, ipv4 ? 'ipv4' : 'ipv6')
  if (isSpecialAddress(normalised, ipv4) === expected) return true
  t.fail(`${ip} (${normalised}): expected ${expected}`)
  return false
}

t.test('agrees with net.BlockList on range edges', async (t) => {
  const edges = [
    '0.0.0.0',
    '0.255.255.255',
    '1.0.0.0',
    '9.255.255.255',
    '10.0.0.0',
    '10.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.64.0.0',
    '100.127.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '127.0.0.1',
    '128.0.0.0',
    '169.253.255.255',
    '169.254.0.0',
    '169.255.0.0',
    '172.15.255.255',
    '172.16.0.0',
    '172.31.255.255',
    '172.32.0.0',
    '192.0.0.0',
    '192.0.1.0',
    '192.0.2.255',
    '192.0.3.0',
    '192.167.255.255',
    '192.168.0.0',
    '192.169.0.0',
    '198.17.255.255',
    '198.18.0.0',
    '198.19.255.255',
    '198.20.0.0',
    '198.51.100.1',
    '203.0.113.255',
    '203.0.114.0',
    '223.255.255.255',
    '224.0.0.0',
    '239.255.255.255',
    '240.0.0.0',
    '255.255.255.255',
    '::',
    '::1',
    '::2',
    '::ffff:10.0.0.1',
    '::ffff:8.8.8.8',
    '64:ff9b::1',
    '64:ff9b:1::1',
    '64:ff9b:1:ffff:ffff:ffff:ffff:ffff',
    '64:ff9b:2::',
    '100::',
    '100::ffff:ffff:ffff:ffff',
    '100:0:0:1::',
    '2001:1:ffff:ffff:ffff:ffff:ffff:ffff',
    '2001:2::',
    '2001:2:0:ffff::1',
    '2001:2:1::',
    '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
    '2001:db8::',
    '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
    '2001:db9::',
    '3ffe:ffff::1',
    '3fff::',
    '3fff:fff:ffff::1',
    '3fff:1000::',
    'fbff::1',
    'fc00::',
    'fdff::1',
    'fe00::',
    'fe7f::1',
    'fe80::',
    'febf:ffff::1',
    'fec0::',
    'feff::1',
    'ff00::',
    'ffff::1',
    '2001:db8:0:0:0:0:0:1',
    '2001:DB8::1',
    '::10.0.0.1',
    '64:ff9b:1::10.0.0.1',
    'fe80::1%eth0',
    '[2001:db8::1]',
  ]
  let agreed = 0
  for (const ip of edges) if (check(t, ip)) agreed++
  t.equal(agreed, edges.length)
})

t.test('agrees with net.BlockList on random addresses near the ranges', async (t) => {
  const next = random(0x9e3779b9)
  const byte = (): number => Math.floor(next() * 256)
  const group = (): string => Math.floor(next() * 65536).toString(16)
  const prefixes6 = [
    '',
    '0',
    '64:ff9b',
    '100',
    '2001',
    '2001:db8',
    '3fff',
    'fc00',
    'fd12',
    'fe80',
    'febf',
    'fec0',
    'ff02',
  ]
  const prefixes4 = [0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 240, 255]
  let agreed = 0
  for (let i = 0; i < 20_000; i++) {
    const first = prefixes4[i % prefixes4.length] as number
    if (check(t, `${next() < 0.8 ? first : byte()}.${byte()}.${byte()}.${byte()}`)) agreed++
    const prefix = prefixes6[i % prefixes6.length] as string
    const groups = prefix === '' ? [] : prefix.split(':')
    while (groups.length < 8) groups.push(next() < 0.5 ? '0' : group())
    // the canonical (compressed) text, as normalizeIp passes it on
    const canonical = new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1)
    if (check(t, canonical)) agreed++
  }
  t.equal(agreed, 40_000)
})

import t from 'tap'
import { compileTrustedProxies, ipBucket, normalizeIp, parseIpv6 } from '../src/index.js'

t.test('IPv6 addresses bucket by prefix; IPv4 stays whole', async (t) => {
  t.equal(ipBucket('2001:db8:1:2:aaaa::1', 64), '2001:db8:1:2::/64')
  t.equal(ipBucket('2001:db8:1:2:bbbb::9', 64), '2001:db8:1:2::/64', 'same /64')
  t.not(ipBucket('2001:db8:1:3::1', 64), ipBucket('2001:db8:1:2::1', 64))
  t.equal(ipBucket('2001:db8:1:2::1', 48), '2001:db8:1::/48')
  t.equal(ipBucket('2001:db8:1:2::1', 128), '2001:db8:1:2::1')
  t.equal(ipBucket('2001:db8:1:ffff::1', 52), '2001:db8:1:f000::/52', 'partial group masked')
  t.equal(ipBucket('198.51.100.1', 64), '198.51.100.1')
  t.equal(ipBucket(normalizeIp('::ffff:198.51.100.1') as string, 64), '198.51.100.1', 'mapped is IPv4')
})

t.test('IPv6 parsing', async (t) => {
  t.same(parseIpv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1])
  t.same(parseIpv6('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8])
  t.same(parseIpv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304])
  t.equal(parseIpv6('1:2:3:4:5:6:7:8:9'), undefined)
})

t.test('trusted proxy lists: CIDRs, named ranges, everything', async (t) => {
  const list = compileTrustedProxies(['10.0.0.0/8', 'loopback', '2001:db8::/32'])
  t.ok(list.contains('10.9.8.7'))
  t.ok(list.contains('127.0.0.5'))
  t.ok(list.contains('::1'))
  t.ok(list.contains('2001:db8:ffff::1'))
  t.notOk(list.contains('11.0.0.1'))
  t.notOk(list.contains('2001:db9::1'))
  t.equal(list.trustsEveryone, false)
  t.equal(compileTrustedProxies(['::/0']).trustsEveryone, true)
})

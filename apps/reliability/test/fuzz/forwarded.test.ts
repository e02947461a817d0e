import type { IncomingHttpHeaders } from 'node:http'
import { isIP } from 'node:net'
import { ClientAddressResolver, compileTrustedProxies, normalizeIp, parseForwarded } from '@rampart/core'
import fc from 'fast-check'
import t from 'tap'
import { FuzzLog, runs } from '../../src/fuzz.js'

// The forwarded headers: core's `normalizeIp`, `parseForwarded` and the trusted-proxy walk of
// `ClientAddressResolver` (what @rampart/proxy-headers installs and every plugin resolves with).

const log = new FuzzLog('forwarded')
t.teardown(() => log.write())

const TRUSTED = ['10.0.0.0/8', '127.0.0.1', 'fd00::/8']
const trustedList = compileTrustedProxies(TRUSTED)
const resolver = new ClientAddressResolver({ trustedProxies: TRUSTED })
const isTrusted = (ip: string) => trustedList.contains(ip)

const byte = fc.nat({ max: 255 })
const trustedV4 = fc.tuple(byte, byte, byte).map(([a, b, c]) => `10.${a}.${b}.${c}`)
const trustedV6 = fc
  .tuple(fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff }))
  .map(([a, b]) => `fd00::${a.toString(16)}:${b.toString(16)}`)
const publicV4 = fc.ipV4().filter((ip) => !isTrusted(ip))
const publicV6 = fc.ipV6().filter((ip) => normalizeIp(ip) !== undefined && !isTrusted(normalizeIp(ip) as string))
/** How proxies and clients write an address: plain, with a port, bracketed, IPv4-mapped, odd case. */
const spelled = (ip: fc.Arbitrary<string>) =>
  fc.tuple(ip, fc.nat({ max: 5 }), fc.nat({ max: 65535 })).map(([address, style, port]) => {
    const v6 = address.includes(':')
    if (style === 1) return v6 ? `[${address}]:${port}` : `${address}:${port}`
    if (style === 2) return v6 ? `[${address}]` : `::ffff:${address}`
    if (style === 3) return address.toUpperCase()
    if (style === 4) return ` ${address}\t`
    return address
  })
const garbage = fc.oneof(
  fc.constantFrom(
    '',
    'unknown',
    '_hidden',
    'localhost',
    '1.2.3',
    '1.2.3.4.5',
    '[::1',
    '::1]',
    '999.1.1.1',
    '[]:80',
    '%',
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
)
const anyHop = fc.oneof(spelled(trustedV4), spelled(trustedV6), spelled(publicV4), spelled(publicV6), garbage)
const anyHeader = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(anyHop, { maxLength: 8 }).map((hops) => hops.join(',')),
)
const anyHeaders: fc.Arbitrary<IncomingHttpHeaders> = fc.record(
  {
    host: fc.oneof(
      fc.constantFrom('api.example.com', 'API.Example.COM:8443', '[::1]:3000'),
      fc.string({ maxLength: 40 }),
    ),
    'x-forwarded-for': fc.oneof(anyHeader, fc.array(anyHeader, { minLength: 1, maxLength: 3 })),
    forwarded: fc.oneof(anyHeader, fc.array(anyHeader, { minLength: 1, maxLength: 3 })),
    'x-real-ip': anyHeader,
    'x-forwarded-proto': fc.oneof(fc.constantFrom('https', 'HTTP', 'https, http', 'javascript'), anyHeader),
    'x-forwarded-host': fc.oneof(fc.constantFrom('evil.com', 'a.example.com, b'), anyHeader),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<IncomingHttpHeaders>
const anyPeer = fc.oneof(
  trustedV4,
  publicV4,
  fc.constant('::ffff:127.0.0.1'),
  fc.constant('127.0.0.1'),
  trustedV6,
  publicV6,
)

t.test('normalizeIp', async (t) => {
  await log.check(
    t,
    'never throws; an answer is an IP address, and normalising it again changes nothing',
    runs(1000),
    fc.property(fc.oneof(anyHop, fc.string({ unit: 'binary' })), (value) => {
      const ip = normalizeIp(value)
      if (ip === undefined) return true
      return isIP(ip) !== 0 && normalizeIp(ip) === ip && ip === ip.toLowerCase()
    }),
  )
  await log.check(
    t,
    'every spelling of an address normalises to the same address',
    runs(1000),
    fc.property(fc.oneof(trustedV4, publicV4, trustedV6, publicV6), fc.nat({ max: 65535 }), (address, port) => {
      const plain = normalizeIp(address)
      if (address.includes(':')) {
        return [`[${address}]`, `[${address}]:${port}`, address.toUpperCase(), ` ${address} `].every(
          (spelling) => normalizeIp(spelling) === plain,
        )
      }
      return [`${address}:${port}`, `::ffff:${address}`, `[::ffff:${address}]:${port}`, `\t${address}`].every(
        (spelling) => normalizeIp(spelling) === plain,
      )
    }),
  )
})

t.test('parseForwarded', async (t) => {
  await log.check(
    t,
    'never throws on any text; every field it returns is a string',
    runs(1000),
    fc.property(fc.oneof(anyHeader, fc.array(anyHeader, { maxLength: 4 })), (value) => {
      for (const element of parseForwarded(value)) {
        for (const field of [element.for, element.proto, element.host]) {
          if (field !== undefined && typeof field !== 'string') return false
        }
      }
      return true
    }),
  )
  await log.check(
    t,
    'reads back what a proxy writes (quoted IPv6 with port, proto, host)',
    runs(1000),
    fc.property(
      fc.array(fc.tuple(fc.oneof(publicV4, publicV6), fc.constantFrom('http', 'https'), fc.domain()), {
        minLength: 1,
        maxLength: 5,
      }),
      (elements) => {
        const header = elements
          .map(([ip, proto, host]) => `for=${ip.includes(':') ? `"[${ip}]:8080"` : ip};proto=${proto};host="${host}"`)
          .join(', ')
        const parsed = parseForwarded(header)
        return (
          parsed.length === elements.length &&
          parsed.every((element, index) => {
            const [ip, proto, host] = elements[index] as [string, string, string]
            return normalizeIp(element.for) === normalizeIp(ip) && element.proto === proto && element.host === host
          })
        )
      },
    ),
  )
})

t.test('the trusted-proxy walk', async (t) => {
  await log.check(
    t,
    'never throws; the client is an IP address, the protocol http or https, the host within the host grammar',
    runs(1000),
    fc.property(anyPeer, anyHeaders, fc.boolean(), (peer, headers, encrypted) => {
      const address = resolver.resolve(peer, headers, encrypted)
      return (
        isIP(address.ip) !== 0 &&
        (address.protocol === 'http' || address.protocol === 'https') &&
        (address.host === undefined || (/^[a-z0-9.\-_~:[\]]+$/.test(address.host) && address.host.length <= 255))
      )
    }),
  )
  await log.check(
    t,
    'from an untrusted peer every forwarding header is ignored',
    runs(1000),
    fc.property(fc.oneof(publicV4, publicV6), anyHeaders, (peer, headers) => {
      const address = resolver.resolve(peer, headers, false)
      return address.ip === normalizeIp(peer) && address.protocol === 'http' && !address.viaProxy
    }),
  )
  await log.check(
    t,
    'whatever a client prepends to X-Forwarded-For, the client is the address the trusted proxies appended',
    runs(1000),
    fc.property(
      fc.array(anyHop, { maxLength: 6 }),
      spelled(fc.oneof(publicV4, publicV6)),
      fc.array(spelled(fc.oneof(trustedV4, trustedV6)), { maxLength: 3 }),
      fc.oneof(trustedV4, fc.constant('127.0.0.1')),
      fc.constantFrom(',', ', ', ' ,\t'),
      (forged, client, proxies, peer, separator) => {
        const header = [...forged, client, ...proxies].join(separator)
        return resolver.resolve(peer, { 'x-forwarded-for': header }, false).ip === normalizeIp(client)
      },
    ),
  )
  await log.check(
    t,
    'the same through RFC 7239 Forwarded',
    runs(1000),
    fc.property(
      fc.array(anyHop, { maxLength: 6 }),
      fc.oneof(publicV4, publicV6),
      fc.array(fc.oneof(trustedV4, trustedV6), { maxLength: 3 }),
      trustedV4,
      (forged, client, proxies, peer) => {
        const element = (ip: string) => `for=${ip.includes(':') ? `"[${ip}]"` : ip}`
        const header = [
          ...forged.map((hop) => `for=${JSON.stringify(hop)}`),
          element(client),
          ...proxies.map(element),
        ].join(', ')
        return resolver.resolve(peer, { forwarded: header }, false).ip === normalizeIp(client)
      },
    ),
  )
  await log.check(
    t,
    'a trusted address comes back as the client only when every hop after it, and the peer, are trusted proxies and nothing valid is before it',
    runs(1000),
    fc.property(fc.array(anyHop, { maxLength: 8 }), anyPeer, (hops, peer) => {
      const address = resolver.resolve(peer, { 'x-forwarded-for': hops.join(',') }, false)
      if (!isTrusted(address.ip)) return true
      if (address.ip === normalizeIp(peer)) return isTrusted(address.ip)
      const normalised = hops
        .join(',')
        .split(',')
        .map((hop) => normalizeIp(hop))
      const index = normalised.lastIndexOf(address.ip)
      if (index === -1) return false
      const after = normalised.slice(index + 1)
      const before = normalised[index - 1]
      return after.every((hop) => hop !== undefined && isTrusted(hop)) && (index === 0 || before === undefined)
    }),
  )
})

import Fastify from 'fastify'
import t from 'tap'
import {
  ClientAddressResolver,
  declareClientAddress,
  getClientAddress,
  normalizeIp,
  parseForwarded,
  setClientAddressResolver,
} from '../src/index.js'

const trustLoopback = new ClientAddressResolver({ trustedProxies: ['127.0.0.1', '::1', '10.0.0.0/8'] })
const nobody = new ClientAddressResolver()

t.test('an untrusted peer cannot move its address with any header', async (t) => {
  const headers = {
    'x-forwarded-for': '1.2.3.4',
    'x-real-ip': '5.6.7.8',
    forwarded: 'for=9.9.9.9;proto=https',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'evil.example',
    host: 'api.example.com',
  }
  const address = trustLoopback.resolve('203.0.113.7', headers, false)
  t.same(address, {
    ip: '203.0.113.7',
    peer: '203.0.113.7',
    protocol: 'http',
    host: 'api.example.com',
    viaProxy: false,
  })
  t.equal(nobody.resolve('127.0.0.1', headers, false).ip, '127.0.0.1', 'nobody trusted by default')
})

t.test('X-Forwarded-For is walked right to left, skipping trusted hops', async (t) => {
  const resolve = (xff: string) => trustLoopback.resolve('127.0.0.1', { 'x-forwarded-for': xff }, false).ip
  t.equal(resolve('203.0.113.9'), '203.0.113.9')
  t.equal(resolve('6.6.6.6, 203.0.113.9'), '203.0.113.9', 'a spoofed leftmost entry is ignored')
  t.equal(resolve('6.6.6.6, 203.0.113.9, 10.1.2.3'), '203.0.113.9', 'trusted inner hop skipped')
  t.equal(resolve('10.0.0.1, 10.0.0.2'), '10.0.0.1', 'all trusted: leftmost')
  t.equal(resolve('6.6.6.6, garbage, 10.0.0.2'), '10.0.0.2', 'malformed hop stops at the nearest trusted hop')
  t.equal(resolve('not-an-ip'), '127.0.0.1', 'malformed only entry: the peer')
  t.equal(resolve('[2001:db8::1]:443'), '2001:db8::1', 'bracketed IPv6 with port')
  t.equal(resolve('203.0.113.9:5555'), '203.0.113.9', 'IPv4 with port')
  t.equal(resolve('::ffff:203.0.113.9'), '203.0.113.9', 'IPv4-mapped')
})

t.test('IPv4-mapped peers match IPv4 trust entries', async (t) => {
  const address = trustLoopback.resolve('::ffff:127.0.0.1', { 'x-forwarded-for': '198.51.100.1' }, false)
  t.equal(address.peer, '127.0.0.1')
  t.equal(address.ip, '198.51.100.1')
  t.equal(address.viaProxy, true)
})

t.test('Forwarded (RFC 7239), X-Real-IP, protocol and host from a trusted peer', async (t) => {
  const forwarded = trustLoopback.resolve(
    '::1',
    { forwarded: 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https;host=shop.example.com' },
    false,
  )
  t.same(forwarded, {
    ip: '2001:db8:cafe::17',
    peer: '::1',
    protocol: 'https',
    host: 'shop.example.com',
    viaProxy: true,
  })
  t.equal(trustLoopback.resolve('127.0.0.1', { 'x-real-ip': '198.51.100.4' }, false).ip, '198.51.100.4')
  const proto = trustLoopback.resolve(
    '127.0.0.1',
    { 'x-forwarded-proto': 'HTTPS', 'x-forwarded-host': 'A.example.com:8443' },
    false,
  )
  t.equal(proto.protocol, 'https')
  t.equal(proto.host, 'a.example.com:8443')
  t.equal(
    trustLoopback.resolve('127.0.0.1', { 'x-forwarded-proto': 'gopher' }, true).protocol,
    'https',
    'bad proto ignored',
  )
  t.equal(
    trustLoopback.resolve('127.0.0.1', { 'x-forwarded-host': 'a b\r\n', host: 'upstream.internal' }, false).host,
    undefined,
    'a malformed forwarded host is no host, not the upstream Host',
  )
  const only = new ClientAddressResolver({ trustedProxies: ['loopback'], header: 'x-real-ip' })
  t.equal(only.resolve('127.0.0.1', { 'x-forwarded-for': '1.1.1.1', 'x-real-ip': '2.2.2.2' }, false).ip, '2.2.2.2')
})

t.test('parsers never throw on garbage', async (t) => {
  for (const value of ['', ';;;', 'for=', '"', 'for="unterminated', '=,=,=', 'for=\\', 'x'.repeat(10000)]) {
    t.doesNotThrow(() => parseForwarded(value))
    t.doesNotThrow(() => trustLoopback.resolve('127.0.0.1', { forwarded: value, 'x-forwarded-for': value }, false))
  }
  t.equal(normalizeIp('1.2.3'), undefined)
  t.equal(normalizeIp('::ffff:7f00:1'), '127.0.0.1')
  t.equal(normalizeIp('FE80::1%eth0'), 'fe80::1')
  t.equal(normalizeIp(' 1.2.3.4 '), '1.2.3.4')
})

t.test('invalid trusted proxy entries throw with the entry named', async (t) => {
  t.throws(() => new ClientAddressResolver({ trustedProxies: ['10.0.0.0/33'] }), /10\.0\.0\.0\/33/)
  t.throws(() => new ClientAddressResolver({ trustedProxies: ['proxy.local'] }), /proxy\.local/)
  for (const entry of ['10.0.0.0/', '10.0.0.0/0x8', '10.0.0.0/1e1', '10.0.0.0/ 8', '10.0.0.0/-1']) {
    t.throws(() => new ClientAddressResolver({ trustedProxies: [entry] }), /invalid prefix length/, entry)
  }
  t.equal(new ClientAddressResolver({ trustedProxies: ['0.0.0.0/0'] }).trustedProxies?.trustsEveryone, true)
})

t.test('getClientAddress is memoised on the request and uses the installed resolver', async (t) => {
  const app = Fastify()
  declareClientAddress(app)
  setClientAddressResolver(app, trustLoopback)
  let same = false
  app.get('/', async (request) => {
    const first = getClientAddress(request)
    same = first === getClientAddress(request)
    return first
  })
  const response = await app.inject({ url: '/', headers: { 'x-forwarded-for': '198.51.100.8' } })
  t.equal(response.json().ip, '198.51.100.8')
  t.ok(same, 'the same object on a second call')
  const spoofed = await app.inject({
    url: '/',
    remoteAddress: '203.0.113.1',
    headers: { 'x-forwarded-for': '1.1.1.1' },
  })
  t.equal(spoofed.json().ip, '203.0.113.1')
})

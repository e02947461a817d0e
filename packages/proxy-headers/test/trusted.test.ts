import { getClientAddress } from '@rampart/core'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import rampartProxyHeaders, { type ClientAddress } from '../src/index.js'
import { build, SPOOFING_HEADERS } from './fixtures/build.js'

t.test('a trusted peer’s headers are believed', async (t) => {
  const app = await build({ enabled: true })
  const response = await app.inject({
    url: '/',
    remoteAddress: '127.0.0.1',
    headers: {
      'x-forwarded-for': '203.0.113.50',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'Shop.Example.com',
    },
  })
  t.same(response.json(), {
    ip: '203.0.113.50',
    peer: '127.0.0.1',
    protocol: 'https',
    host: 'shop.example.com',
    viaProxy: true,
    clientIp: '203.0.113.50',
  })
})

t.test(
  'multi-hop X-Forwarded-For: trusted internal hops are skipped, a spoofed leftmost entry is not taken',
  async (t) => {
    const app = await build({ enabled: true, trustedProxies: ['127.0.0.1', '10.0.0.0/8'] })
    const ip = async (xff: string) =>
      (await app.inject({ url: '/', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': xff } })).json().ip
    t.equal(await ip('203.0.113.9, 10.1.2.3'), '203.0.113.9', 'the internal hop is skipped')
    t.equal(await ip('6.6.6.6, 203.0.113.9, 10.1.2.3'), '203.0.113.9', 'the client-supplied leftmost entry is ignored')
    t.equal(await ip('10.0.0.1, 10.0.0.2'), '10.0.0.1', 'every hop trusted: the leftmost')
    t.equal(await ip('6.6.6.6, not-an-ip, 10.0.0.2'), '10.0.0.2', 'garbage stops the walk at the nearest trusted hop')
  },
)

t.test('IPv6 peers and IPv6 clients', async (t) => {
  const app = await build({ enabled: true, trustedProxies: ['::1', 'fd00::/8'] })
  const ipv6Peer = await app.inject({ url: '/', remoteAddress: '::1', headers: { 'x-forwarded-for': '2001:db8::7' } })
  t.equal(ipv6Peer.json().ip, '2001:db8::7')
  t.equal(ipv6Peer.json().peer, '::1')
  const cidrPeer = await app.inject({
    url: '/',
    remoteAddress: 'fd12:3456::1',
    headers: { 'x-forwarded-for': '[2001:DB8::8]:51000, fd00::9' },
  })
  t.equal(cidrPeer.json().ip, '2001:db8::8', 'bracketed, uppercase, with a port: normalised')
})

t.test('an IPv4-mapped IPv6 peer matches an IPv4 entry and is reported as IPv4', async (t) => {
  const app = await build({ enabled: true, trustedProxies: ['127.0.0.1', '10.0.0.0/8'] })
  for (const remoteAddress of ['::ffff:127.0.0.1', '::ffff:10.9.8.7']) {
    const body = (await app.inject({ url: '/', remoteAddress, headers: { 'x-forwarded-for': '198.51.100.1' } })).json()
    t.equal(body.ip, '198.51.100.1', remoteAddress)
    t.equal(body.peer, remoteAddress.slice('::ffff:'.length))
  }
  const untrusted = await app.inject({
    url: '/',
    remoteAddress: '::ffff:198.51.100.99',
    headers: { 'x-forwarded-for': '1.1.1.1' },
  })
  t.equal(untrusted.json().ip, '198.51.100.99')
})

t.test('Forwarded (RFC 7239) and X-Real-IP from a trusted peer, and the header option', async (t) => {
  const auto = await build({ enabled: true })
  const forwarded = await auto.inject({
    url: '/',
    remoteAddress: '::1',
    headers: { forwarded: 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https;host=shop.example.com' },
  })
  t.same(forwarded.json(), {
    ip: '2001:db8:cafe::17',
    peer: '::1',
    protocol: 'https',
    host: 'shop.example.com',
    viaProxy: true,
    clientIp: '2001:db8:cafe::17',
  })
  const realIp = await auto.inject({ url: '/', remoteAddress: '127.0.0.1', headers: { 'x-real-ip': '198.51.100.4' } })
  t.equal(realIp.json().ip, '198.51.100.4')

  const onlyRealIp = await build({ enabled: true, header: 'x-real-ip' })
  const both = await onlyRealIp.inject({ url: '/', remoteAddress: '127.0.0.1', headers: SPOOFING_HEADERS })
  t.equal(both.json().ip, '5.6.7.8', 'header: x-real-ip ignores X-Forwarded-For')
  const onlyForwarded = await build({ enabled: true, header: 'forwarded' })
  const chosen = await onlyForwarded.inject({ url: '/', remoteAddress: '127.0.0.1', headers: SPOOFING_HEADERS })
  t.equal(chosen.json().ip, '9.9.9.9', 'header: forwarded ignores X-Forwarded-For')
})

t.test('malformed proxy headers are ignored, never a 500', async (t) => {
  const app = await build({ enabled: true })
  for (const value of ['', 'garbage', '999.1.1.1', 'for="', '"unterminated', 'x'.repeat(9000)]) {
    const response = await app.inject({
      url: '/',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': value, forwarded: value, 'x-real-ip': value, 'x-forwarded-proto': value },
    })
    t.equal(response.statusCode, 200, JSON.stringify(value.slice(0, 20)))
    t.equal(response.json().ip, '127.0.0.1')
    t.equal(response.json().protocol, 'http')
  }
})

t.test('later plugins see the same memoised address through core, and the decorators are lazy', async (t) => {
  const app = Fastify()
  await app.register(rampartProxyHeaders, { enabled: true, trustedProxies: ['10.0.0.0/8'] })
  let seenByPlugin: ClientAddress | undefined
  let same = false
  await app.register(
    fp(async (instance) => {
      instance.addHook('onRequest', async (request) => {
        seenByPlugin = getClientAddress(request)
      })
    }),
  )
  app.register(async (child) => {
    child.get('/child', async (request) => {
      same = request.clientAddress === seenByPlugin
      return { ip: request.clientIp }
    })
  })
  const response = await app.inject({
    url: '/child',
    remoteAddress: '10.0.0.3',
    headers: { 'x-forwarded-for': '198.51.100.77' },
  })
  t.equal(response.json().ip, '198.51.100.77', 'encapsulated child routes resolve through the same trust')
  t.equal(seenByPlugin?.ip, '198.51.100.77')
  t.ok(same, 'one object per request, shared by every reader')
  t.equal(app.hasRequestDecorator('clientAddress'), true)
  t.equal(app.hasRequestDecorator('clientIp'), true)
  // Type-level: the decorators are typed on FastifyRequest.
  const typed: (request: import('fastify').FastifyRequest) => [ClientAddress, string] = (request) => [
    request.clientAddress,
    request.clientIp,
  ]
  t.type(typed, 'function')
})

t.test('registering adds no request hook: the decorators are getters', async (t) => {
  const app = Fastify({ exposeHeadRoutes: false })
  await app.register(rampartProxyHeaders, { enabled: true })
  app.get('/', async () => 'ok')
  await app.ready()
  const routes = app.printRoutes({ includeHooks: true, commonPrefix: false })
  t.match(routes, /\/ \(GET\)/)
  t.notMatch(routes, /onRequest|preParsing|preValidation|preHandler|onSend|onResponse/)
  t.match(app.printPlugins(), /@rampart\/proxy-headers/)
})

t.test('routes of plugins registered before proxy-headers resolve through it too', async (t) => {
  const app = Fastify()
  app.register(async (early) => {
    early.get('/early', async (request) => ({ ip: request.clientIp, core: getClientAddress(request).ip }))
  })
  await app.register(rampartProxyHeaders, { enabled: true })
  const response = await app.inject({ url: '/early', headers: { 'x-forwarded-for': '198.51.100.90' } })
  t.same(response.json(), { ip: '198.51.100.90', core: '198.51.100.90' })
})

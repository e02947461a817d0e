import Fastify from 'fastify'
import t from 'tap'
import rampartProxyHeaders, { DEFAULTS, resolveOptions } from '../src/index.js'

t.test('defaults are the seed’s: off, loopback only, auto', async (t) => {
  t.same(resolveOptions(), { enabled: false, trustedProxies: ['127.0.0.1', '::1'], header: 'auto' })
  t.ok(Object.isFrozen(DEFAULTS))
  t.ok(Object.isFrozen(resolveOptions().trustedProxies))
})

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ enabled: 'yes' }, /option "enabled" must be true or false \(got "yes"\)/],
    [{ trustedProxies: '127.0.0.1' }, /option "trustedProxies" must be an array of strings/],
    [{ trustedProxies: ['127.0.0.1', '10.0.0.0/33'] }, /option "trustedProxies\[1\]" must be .*10\.0\.0\.0\/33/],
    [{ trustedProxies: ['proxy.internal'] }, /option "trustedProxies\[0\]" must be .*proxy\.internal/],
    [{ trustedProxies: ['::1', '2001:db8::/129'] }, /option "trustedProxies\[1\]"/],
    [{ trustedProxies: ['10.0.0.0/8', '10.0.0.0/x'] }, /option "trustedProxies\[1\]"/],
    [{ trustedProxies: ['10.0.0.0/'] }, /option "trustedProxies\[0\]" .*prefix length/],
    [{ trustedProxies: ['10.0.0.0/0x8'] }, /option "trustedProxies\[0\]" .*prefix length/],
    [{ trustedProxies: ['10.0.0.0/1e1'] }, /option "trustedProxies\[0\]" .*prefix length/],
    [{ trustedProxies: ['localhost'] }, /option "trustedProxies\[0\]" must be .*loopback, linklocal, uniquelocal/],
    [{ trustedProxies: [''] }, /option "trustedProxies\[0\]" must be a non-empty string/],
    [{ enabled: true, trustedProxies: [] }, /option "trustedProxies" must name at least one proxy/],
    [{ header: 'x-client-ip' }, /option "header" must be one of "auto", "x-forwarded-for", "forwarded", "x-real-ip"/],
    [{ trustProxies: ['10.0.0.1'] }, /option "trustProxies" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartProxyHeaders, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_PROXY_HEADERS_INVALID_OPTION', message })
  }
})

t.test('entries are checked even when the plugin is disabled, so turning it on cannot fail later', async (t) => {
  const app = Fastify()
  app.register(rampartProxyHeaders, { enabled: false, trustedProxies: ['10.0.0.0/99'] })
  await t.rejects(async () => app.ready(), { code: 'RAMPART_PROXY_HEADERS_INVALID_OPTION' })
})

t.test('addresses, CIDRs of both families and the named ranges are accepted', async (t) => {
  const resolved = resolveOptions({
    enabled: true,
    trustedProxies: ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', 'fe80::1', 'loopback', 'linklocal', 'uniquelocal'],
    header: 'forwarded',
  })
  t.equal(resolved.trustedProxies.length, 7)
  t.equal(resolved.header, 'forwarded')
})

t.test('registering twice on one instance fails with a coded error', async (t) => {
  const app = Fastify()
  app.register(rampartProxyHeaders, { enabled: true })
  app.register(rampartProxyHeaders, { enabled: true, trustedProxies: ['10.0.0.0/8'] })
  await t.rejects(async () => app.ready(), { code: 'RAMPART_PROXY_HEADERS_ALREADY_REGISTERED' })
})

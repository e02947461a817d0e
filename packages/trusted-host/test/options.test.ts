import Fastify from 'fastify'
import t from 'tap'
import rampartTrustedHost, { resolveOptions } from '../src/index.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [undefined, /option "allowedHosts" is required/],
    [{}, /option "allowedHosts" is required/],
    [{ allowedHosts: [] }, /option "allowedHosts" must list at least one host/],
    [{ allowedHosts: 'example.com' }, /option "allowedHosts" must be an array of strings/],
    [{ allowedHosts: ['example.com', 42] }, /option "allowedHosts\[1\]" must be a non-empty string/],
    [{ allowedHosts: ['example.com', ''] }, /option "allowedHosts\[1\]" must be a non-empty string/],
    [{ allowedHosts: ['a.com', '*'] }, /option "allowedHosts\[1\]" '\*' allows every host: list it alone/],
    [{ allowedHosts: ['https://example.com'] }, /option "allowedHosts\[0\]" must be a host .* not a URL/],
    [{ allowedHosts: ['example.com/'] }, /not a URL/],
    [{ allowedHosts: ['user@example.com'] }, /not a URL/],
    [{ allowedHosts: ['exa mple.com'] }, /must not contain whitespace/],
    [{ allowedHosts: ['*example.com'] }, /may use '\*' only alone or as a whole leading label/],
    [{ allowedHosts: ['a.*.example.com'] }, /may use '\*' only alone/],
    [{ allowedHosts: ['*.*.example.com'] }, /may use '\*' only alone/],
    [{ allowedHosts: ['*.127.0.0.1'] }, /cannot apply a wildcard to an IP address/],
    [{ allowedHosts: ['*.[::1]'] }, /cannot apply a wildcard to an IP address/],
    [{ allowedHosts: ['::1'] }, /must bracket an IPv6 address/],
    [{ allowedHosts: ['[::1'] }, /has "\[" without "\]"/],
    [{ allowedHosts: ['[::1]3000'] }, /not a ":port"/],
    [{ allowedHosts: ['[fe80::1%eth0]'] }, /zone id/],
    [{ allowedHosts: ['[::g]'] }, /is not a valid IPv6 literal/],
    [{ allowedHosts: ['[example.com]'] }, /is not a valid IPv6 literal/],
    [{ allowedHosts: ['999.1.1.1'] }, /neither a host name nor a dotted-quad IPv4 address/],
    [{ allowedHosts: ['127.1'] }, /neither a host name nor a dotted-quad/],
    [{ allowedHosts: ['-bad.example.com'] }, /has an invalid label "-bad"/],
    [{ allowedHosts: ['a..example.com'] }, /has an invalid label ""/],
    [{ allowedHosts: ['ex~ample.com'] }, /has an invalid label "ex~ample"/],
    [{ allowedHosts: ['.'] }, /has no host name/],
    [{ allowedHosts: [':8080'] }, /has no host name/],
    [{ allowedHosts: [`${'a.'.repeat(127)}com`] }, /longer than 253/],
    [{ allowedHosts: ['example.com:0'] }, /invalid port/],
    [{ allowedHosts: ['example.com:65536'] }, /invalid port/],
    [{ allowedHosts: ['example.com:080'] }, /invalid port/],
    [{ allowedHosts: ['example.com:'] }, /invalid port/],
    [{ allowedHosts: ['example.com:http'] }, /invalid port/],
    [
      { allowedHosts: ['bücher.example:8080'] },
      /must be written in ASCII as browsers send it: "xn--bcher-kva.example:8080"/,
    ],
    [{ allowedHosts: ['*.bücher.example'] }, /"\*\.xn--bcher-kva\.example"/],
    [{ allowedHosts: ['xn--ü.com'] }, /is not a valid internationalised host name/],
    [
      { allowedHosts: ['ü..com'] },
      /is not a valid host name: as ASCII \("xn--tda\.\.com"\) it has an invalid label ""/,
    ],
    [{ allowedHosts: ['example.com'], allowedHost: ['x'] }, /option "allowedHost" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartTrustedHost, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_TRUSTED_HOST_INVALID_OPTION', message }, String(message))
  }
})

t.test('good entries are normalised', async (t) => {
  const resolved = resolveOptions({
    allowedHosts: ['Example.COM.', '*.Example.net:8443', '[0:0::1]:3000', '10.0.0.1', 'my_service', 'localhost'],
  })
  t.same(
    resolved.allowedHosts.map((entry) => [entry.kind, entry.name, entry.port, entry.text]),
    [
      ['exact', 'example.com', undefined, 'example.com'],
      ['wildcard', 'example.net', '8443', '*.example.net:8443'],
      ['exact', '[::1]', '3000', '[::1]:3000'],
      ['exact', '10.0.0.1', undefined, '10.0.0.1'],
      ['exact', 'my_service', undefined, 'my_service'],
      ['exact', 'localhost', undefined, 'localhost'],
    ],
  )
  t.ok(Object.isFrozen(resolved) && Object.isFrozen(resolved.allowedHosts))
  t.same(
    resolveOptions({ allowedHosts: ['*'] }).allowedHosts.map((entry) => entry.kind),
    ['any'],
  )
})

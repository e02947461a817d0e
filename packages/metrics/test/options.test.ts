import Fastify from 'fastify'
import t from 'tap'
import rampartMetrics, { DEFAULT_BUCKETS, DEFAULTS, resolveOptions } from '../src/index.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    ['yes', /option "" must be an object/],
    [{ endpont: '/metrics' }, /option "endpont" is not a known option/],
    [{ endpoint: 'metrics' }, /option "endpoint" must be a path starting with "\/"/],
    [{ endpoint: '/metrics?x' }, /option "endpoint" must be a path/],
    [{ endpoint: true }, /option "endpoint" must be a string/],
    [{ protection: {} }, /option "protection" must set bearerToken, allowedIps or both/],
    [{ protection: { token: 'x' } }, /option "protection.token" is not a known option/],
    [{ protection: { bearerToken: 'short' } }, /option "protection.bearerToken" must be 16 to 4096 printable/],
    [{ protection: { bearerToken: 'has a space in it, long enough' } }, /protection.bearerToken/],
    [{ protection: { allowedIps: [] } }, /option "protection.allowedIps" must not be empty/],
    [
      { protection: { allowedIps: ['10.0.0.0/33'] } },
      /option "protection.allowedIps" "10.0.0.0\/33" has an invalid prefix/,
    ],
    [{ protection: { allowedIps: ['example.com'] } }, /"example.com" is not an IP address/],
    [{ measureEndpoint: 'no' }, /option "measureEndpoint" must be true or false/],
    [{ registry: {} }, /option "registry" must be a prom-client Registry/],
    [{ prefix: '1app_' }, /option "prefix" must match/],
    [{ prefix: 'my-app_' }, /option "prefix" must match/],
    [{ defaultMetrics: 1 }, /option "defaultMetrics" must be true or false/],
    [{ buckets: [] }, /option "buckets" must be a non-empty array/],
    [{ buckets: [0.1, 0.1] }, /option "buckets\[1\]" must be greater than the bound before it/],
    [{ buckets: [1, 0.5] }, /option "buckets\[1\]"/],
    [{ buckets: [0, 1] }, /option "buckets\[0\]" must be > 0/],
    [{ buckets: [1, Number.POSITIVE_INFINITY] }, /option "buckets\[1\]" must be a finite number/],
    [{ buckets: Array.from({ length: 65 }, (_, i) => i + 1) }, /at most 64/],
    [{ excludeRoutes: ['/a', ''] }, /option "excludeRoutes\[1\]" must be a non-empty string/],
    [{ maxLabelSets: 0 }, /option "maxLabelSets" must be >= 1/],
    [{ maxLabelSets: 1.5 }, /option "maxLabelSets" must be an integer/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartMetrics, options as any)
    await t.rejects(
      async () => app.ready(),
      { code: 'RAMPART_METRICS_INVALID_OPTION', message },
      JSON.stringify(options),
    )
  }
})

t.test('a bad token is never echoed into the error', async (t) => {
  const secretish = 'my secret token with spaces'
  t.throws(() => resolveOptions({ protection: { bearerToken: secretish } }), { message: /^(?!.*my secret)/ })
})

t.test('defaults', async (t) => {
  const resolved = resolveOptions()
  t.same(resolved, DEFAULTS)
  t.ok(Object.isFrozen(resolved))
  t.same(DEFAULT_BUCKETS, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
  t.equal(resolved.endpoint, '/metrics')
  t.equal(resolved.defaultMetrics, false)
  t.equal(resolved.protection, undefined)
  const protectedOptions = resolveOptions({ protection: { allowedIps: ['loopback'] }, prefix: '' })
  t.ok(protectedOptions.protection?.allowedIps?.contains('127.0.0.1'))
  t.equal(protectedOptions.protection?.bearerToken, undefined)
  t.equal(protectedOptions.prefix, '')
})

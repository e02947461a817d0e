import { ClientAddressResolver, setClientAddressResolver } from '@rampart/core'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import rampartMetrics, { bearerToken, type MetricsOptions } from '../src/index.js'
import { parseExposition, value } from './fixtures/exposition.js'

const TOKEN = 'scrape-token-0123456789abcdef'

async function build(options: MetricsOptions = {}, trustProxy = false) {
  const app = Fastify()
  if (trustProxy) {
    // what @rampart/proxy-headers installs: the client address comes from X-Forwarded-For sent by 127.0.0.1
    await app.register(
      fp(async (instance) => {
        setClientAddressResolver(instance, new ClientAddressResolver({ trustedProxies: ['loopback'] }))
      }),
    )
  }
  await app.register(rampartMetrics, options)
  app.get('/ok', async () => 'ok')
  return app
}

t.test('serves the Prometheus text format, GET and HEAD, never cached', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const response = await app.inject('/metrics')
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  t.equal(response.headers['cache-control'], 'no-store')
  t.match(response.body, /^# HELP http_requests_total /m)
  const head = await app.inject({ method: 'HEAD', url: '/metrics' })
  t.equal(head.statusCode, 200)
  t.equal(head.body, '')
})

t.test('endpoint: another path, or none', async (t) => {
  const moved = await build({ endpoint: '/internal/prometheus' })
  t.teardown(() => moved.close())
  t.equal((await moved.inject('/internal/prometheus')).statusCode, 200)
  t.equal((await moved.inject('/metrics')).statusCode, 404)

  const none = await build({ endpoint: false })
  t.teardown(() => none.close())
  t.equal((await none.inject('/metrics')).statusCode, 404)
  t.match(
    await none.rampartMetrics.registry.metrics(),
    /http_requests_total\{method="GET",route="unmatched",status="404"\} 1/,
  )
})

t.test('bearer token: 401 problem+json with a Bearer challenge unless the token is right', async (t) => {
  const app = await build({ protection: { bearerToken: TOKEN } })
  t.teardown(() => app.close())

  const missing = await app.inject('/metrics')
  t.equal(missing.statusCode, 401)
  t.match(missing.headers['content-type'], /^application\/problem\+json/)
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="metrics"')
  t.equal(missing.json().code, 'RAMPART_METRICS_UNAUTHORIZED')
  t.notMatch(missing.body, /http_requests_total/)

  for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, TOKEN, 'Bearer']) {
    const wrong = await app.inject({ url: '/metrics', headers: { authorization } })
    t.equal(wrong.statusCode, 401, authorization)
    t.notMatch(wrong.body, /http_requests_total/)
  }
  const invalid = await app.inject({ url: '/metrics', headers: { authorization: `Bearer not-the-token` } })
  t.equal(invalid.headers['www-authenticate'], 'Bearer realm="metrics", error="invalid_token"')

  for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer  ${TOKEN} `]) {
    const ok = await app.inject({ url: '/metrics', headers: { authorization } })
    t.equal(ok.statusCode, 200, JSON.stringify(authorization))
  }
})

t.test('refusals of the endpoint are counted like any refusal', async (t) => {
  const app = await build({ protection: { bearerToken: TOKEN } })
  t.teardown(() => app.close())
  await app.inject('/metrics')
  const response = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(
    value(parseExposition(response.body), 'rampart_refusals_total', {
      source: 'metrics',
      code: 'RAMPART_METRICS_UNAUTHORIZED',
      status: '401',
    }),
    1,
  )
})

t.test('allowedIps: 403 for other addresses, on the resolved client address', async (t) => {
  const app = await build({ protection: { allowedIps: ['10.0.0.0/8', '::1'] } }, true)
  t.teardown(() => app.close())
  const from = (remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({ url: '/metrics', remoteAddress, headers })

  const outside = await from('203.0.113.9')
  t.equal(outside.statusCode, 403)
  t.equal(outside.json().code, 'RAMPART_METRICS_FORBIDDEN')
  t.notMatch(outside.body, /http_requests_total/)
  t.equal((await from('10.1.2.3')).statusCode, 200)
  t.equal((await from('::1')).statusCode, 200)
  t.equal((await from('::ffff:10.9.9.9')).statusCode, 200, 'IPv4-mapped IPv6 is the IPv4 address')
  t.equal((await from('127.0.0.1', { 'x-forwarded-for': '10.4.4.4' })).statusCode, 200, 'via the trusted proxy')
  t.equal(
    (await from('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).statusCode,
    403,
    'the proxy itself is not the client',
  )
  t.equal(
    (await from('203.0.113.9', { 'x-forwarded-for': '10.4.4.4' })).statusCode,
    403,
    'an untrusted peer cannot claim an allowed address',
  )
})

t.test('both: the address first (no hint about the token), then the token', async (t) => {
  const app = await build({ protection: { allowedIps: ['loopback'], bearerToken: TOKEN } })
  t.teardown(() => app.close())
  const outside = await app.inject({
    url: '/metrics',
    remoteAddress: '198.51.100.1',
    headers: { authorization: `Bearer ${TOKEN}` },
  })
  t.equal(outside.statusCode, 403)
  t.equal(outside.headers['www-authenticate'], undefined)
  t.equal((await app.inject('/metrics')).statusCode, 401)
  t.equal((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 200)
})

t.test('bearerToken() reads only the Bearer scheme', async (t) => {
  t.equal(bearerToken('Bearer abc'), 'abc')
  t.equal(bearerToken('BEARER abc'), 'abc')
  t.equal(bearerToken(undefined), undefined)
  t.equal(bearerToken('Bearer a b'), undefined)
  t.equal(bearerToken('Bearerabc'), undefined)
  t.equal(bearerToken(`Bearer ${'a'.repeat(9000)}`), undefined, 'bounded')
})

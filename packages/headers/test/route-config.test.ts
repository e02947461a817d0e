import Fastify from 'fastify'
import t from 'tap'
import rampartHeaders from '../src/index.js'
import { build, trustLoopback } from './fixtures/build.js'

t.test('headers: false opts a route out entirely', async (t) => {
  const app = await build({ csp: "default-src 'self'" })
  app.get('/raw', { config: { rampart: { headers: false } } }, async (_request, reply) => {
    reply.header('x-powered-by', 'kept')
    return 'raw'
  })
  const headers = (await app.inject('/raw')).headers
  for (const name of [
    'x-frame-options',
    'content-security-policy',
    'cache-control',
    'server',
    'x-content-type-options',
  ]) {
    t.notOk(name in headers, `no ${name}`)
  }
  t.equal(headers['x-powered-by'], 'kept', 'nothing is removed either')
})

t.test('options merge over the plugin options, per route', async (t) => {
  const app = await build({
    csp: "default-src 'self'",
    permissionsPolicy: { fullscreen: ['self'] },
    cacheControl: 'no-store',
  })
  app.get(
    '/static/app.js',
    { config: { rampart: { headers: { cacheControl: 'public, max-age=3600', csp: false } } } },
    async () => 'x',
  )
  app.get(
    '/embed',
    { config: { rampart: { headers: { frameOptions: 'SAMEORIGIN', csp: "default-src 'none'" } } } },
    async () => 'x',
  )
  app.get(
    '/map',
    { config: { rampart: { headers: { permissionsPolicy: { geolocation: ['self'], camera: false } } } } },
    async () => 'x',
  )
  app.get('/other', { config: { rampart: { rateLimit: false } as object } }, async () => 'x')

  const asset = await app.inject('/static/app.js')
  t.equal(asset.headers['cache-control'], 'public, max-age=3600')
  t.notOk('content-security-policy' in asset.headers)
  t.equal(asset.headers['x-frame-options'], 'DENY', 'what the route does not set stays')

  const embed = await app.inject('/embed')
  t.equal(embed.headers['x-frame-options'], 'SAMEORIGIN')
  t.equal(embed.headers['content-security-policy'], "default-src 'none'")
  t.equal(embed.headers['cache-control'], 'no-store', "the plugin's option, not the default")

  t.equal(
    (await app.inject('/map')).headers['permissions-policy'],
    'microphone=(), geolocation=(self), payment=(), usb=(), magnetometer=(), gyroscope=(), accelerometer=(), fullscreen=(self)',
    "merged over the plugin's policy, itself merged over the seed's",
  )
  t.equal((await app.inject('/other')).headers['x-frame-options'], 'DENY', 'a route config without headers')
})

t.test('hsts merges over the plugin hsts; the route cannot turn production on', async (t) => {
  const app = await build({ production: true, hsts: { maxAge: 600 } }, trustLoopback)
  app.get(
    '/preload',
    { config: { rampart: { headers: { hsts: { maxAge: 31_536_000, preload: true } } } } },
    async () => 'x',
  )
  app.get('/short', { config: { rampart: { headers: { hsts: { includeSubDomains: false } } } } }, async () => 'x')
  app.get('/off', { config: { rampart: { headers: { hsts: false } } } }, async () => 'x')
  t.throws(
    () => app.get('/prod', { config: { rampart: { headers: { production: true } as object } } }, async () => 'x'),
    { code: 'RAMPART_HEADERS_INVALID_OPTION', message: /"config\.rampart\.headers\.production" is not a known option/ },
  )
  const https = { 'x-forwarded-proto': 'https' }
  const hsts = async (url: string) => (await app.inject({ url, headers: https })).headers['strict-transport-security']
  t.equal(await hsts('/'), 'max-age=600; includeSubDomains')
  t.equal(await hsts('/preload'), 'max-age=31536000; includeSubDomains; preload')
  t.equal(await hsts('/short'), 'max-age=600')
  t.equal(await hsts('/off'), undefined)
})

t.test('a route can turn nonces on, and off', async (t) => {
  const app = await build({ csp: "default-src 'self'" })
  app.get(
    '/nonce',
    { config: { rampart: { headers: { cspNonce: ['script-src'] } } } },
    async (_request, reply) => reply.cspNonce,
  )
  t.throws(
    () => app.get('/bad', { config: { rampart: { headers: { csp: false, cspNonce: true } } } }, async () => 'x'),
    {
      message: /"config\.rampart\.headers\.cspNonce" needs csp or cspReportOnly/,
    },
  )
  const response = await app.inject('/nonce')
  t.equal(response.headers['content-security-policy'], `default-src 'self'; script-src 'self' 'nonce-${response.body}'`)
})

t.test('a bad per-route option fails when the route is added, naming it', async (t) => {
  const app = await build()
  t.throws(
    () => app.get('/x', { config: { rampart: { headers: { frameOptions: 'ALLOW' as 'DENY' } } } }, async () => 'x'),
    {
      code: 'RAMPART_HEADERS_INVALID_OPTION',
      message: /"config\.rampart\.headers\.frameOptions" must be one of/,
    },
  )
  t.throws(
    () => app.get('/y', { config: { rampart: { headers: { csp: { 'script-src': ["'self'"] } } } } }, async () => 'x'),
    {
      message: /"config\.rampart\.headers\.csp\.default-src" is required/,
    },
  )
  t.throws(() => app.get('/z', { config: { rampart: { headers: 'off' as unknown as false } } }, async () => 'x'), {
    message: /"config\.rampart\.headers" must be an object/,
  })
})

t.test('routes in an encapsulated child use their own config; 404s use the plugin set', async (t) => {
  const app = Fastify()
  await app.register(rampartHeaders, { frameOptions: 'SAMEORIGIN' })
  await app.register(
    async (child) => {
      child.get('/child', { config: { rampart: { headers: { frameOptions: 'DENY' } } } }, async () => 'x')
      child.get('/plain', async () => 'x')
    },
    { prefix: '/api' },
  )
  t.equal((await app.inject('/api/child')).headers['x-frame-options'], 'DENY')
  t.equal((await app.inject('/api/plain')).headers['x-frame-options'], 'SAMEORIGIN')
  t.equal((await app.inject('/api/missing')).headers['x-frame-options'], 'SAMEORIGIN')
})

import t from 'tap'
import { build } from './fixtures/build.js'

const SEED_PERMISSIONS =
  'camera=(), microphone=(), geolocation=(), payment=(), usb=(), magnetometer=(), gyroscope=(), accelerometer=()'

t.test("the seed's headers, X-XSS-Protection off, COOP and CORP, the Server masked", async (t) => {
  const app = await build()
  const response = await app.inject('/')
  t.equal(response.statusCode, 200)
  t.same(
    Object.fromEntries(
      Object.entries(response.headers).filter(
        ([name]) => !['date', 'connection', 'content-length', 'content-type'].includes(name),
      ),
    ),
    {
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'permissions-policy': SEED_PERMISSIONS,
      'cache-control': 'no-store, max-age=0',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'x-xss-protection': '0',
      server: 'undisclosed',
    },
    'exactly these, nothing more: no HSTS outside production, no CSP unless configured',
  )
})

t.test('every header can be changed, and removed with false', async (t) => {
  const changed = await build({
    frameOptions: 'SAMEORIGIN',
    referrerPolicy: ['no-referrer', 'strict-origin-when-cross-origin'],
    cacheControl: 'private, max-age=60',
    server: 'edge',
    crossOriginOpenerPolicy: 'same-origin-allow-popups',
    crossOriginResourcePolicy: 'cross-origin',
    crossOriginEmbedderPolicy: 'require-corp',
    permittedCrossDomainPolicies: 'none',
    dnsPrefetchControl: 'off',
  })
  t.match((await changed.inject('/')).headers, {
    'x-frame-options': 'SAMEORIGIN',
    'referrer-policy': 'no-referrer, strict-origin-when-cross-origin',
    'cache-control': 'private, max-age=60',
    server: 'edge',
    'cross-origin-opener-policy': 'same-origin-allow-popups',
    'cross-origin-resource-policy': 'cross-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'x-permitted-cross-domain-policies': 'none',
    'x-dns-prefetch-control': 'off',
  })

  const removed = await build({
    contentTypeOptions: false,
    frameOptions: false,
    referrerPolicy: false,
    permissionsPolicy: false,
    cacheControl: false,
    server: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    xssProtection: false,
  })
  const headers = (await removed.inject('/')).headers
  for (const name of [
    'x-content-type-options',
    'x-frame-options',
    'referrer-policy',
    'permissions-policy',
    'cache-control',
    'server',
    'cross-origin-opener-policy',
    'cross-origin-resource-policy',
    'x-xss-protection',
  ]) {
    t.notOk(name in headers, `${name} removed`)
  }
})

t.test('Server is masked and X-Powered-By removed even when the handler set them', async (t) => {
  const setBoth = (app: Parameters<NonNullable<Parameters<typeof build>[1]>>[0]) => {
    app.get('/powered', async (_request, reply) => {
      reply.header('X-Powered-By', 'Express').header('Server', 'nginx/1.2.3')
      return 'x'
    })
    app.get('/raw', async (_request, reply) => {
      reply.raw.setHeader('x-powered-by', 'PHP/5.4')
      reply.raw.setHeader('server', 'Apache/2.2')
      return 'x'
    })
  }
  const masked = await build({}, setBoth)
  for (const url of ['/powered', '/raw']) {
    const response = await masked.inject(url)
    t.equal(response.headers.server, 'undisclosed', `${url}: server masked`)
    t.notOk('x-powered-by' in response.headers, `${url}: x-powered-by removed`)
  }
  const removed = await build({ server: false }, setBoth)
  for (const url of ['/powered', '/raw']) {
    t.notOk('server' in (await removed.inject(url)).headers, `${url}: server removed`)
  }
})

t.test('a header the response already has is kept (Cache-Control of a static asset)', async (t) => {
  const app = await build({ csp: "default-src 'self'" }, (app) => {
    app.get('/asset.js', async (_request, reply) => {
      reply.header('Cache-Control', 'public, max-age=31536000, immutable')
      return 'x'
    })
    app.get('/own-policy', async (_request, reply) => {
      reply.header('content-security-policy', "default-src 'none'").header('x-frame-options', 'SAMEORIGIN')
      return 'x'
    })
    app.get('/raw-cache', async (_request, reply) => {
      reply.raw.setHeader('cache-control', 'public, max-age=60')
      return 'x'
    })
  })
  const asset = await app.inject('/asset.js')
  t.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal(asset.headers['x-frame-options'], 'DENY', 'the others are still added')
  const own = await app.inject('/own-policy')
  t.equal(own.headers['content-security-policy'], "default-src 'none'")
  t.equal(own.headers['x-frame-options'], 'SAMEORIGIN')
  t.equal((await app.inject('/raw-cache')).headers['cache-control'], 'public, max-age=60', 'set on reply.raw')
})

t.test('HEAD, redirects, streams and empty bodies carry them too', async (t) => {
  const { Readable } = await import('node:stream')
  const app = await build({}, (app) => {
    app.get('/redirect', async (_request, reply) => reply.redirect('/'))
    app.get('/stream', async (_request, reply) => reply.type('text/plain').send(Readable.from(['a', 'b'])))
    app.delete('/empty', async (_request, reply) => reply.code(204).send())
  })
  for (const request of [
    { method: 'HEAD', url: '/' },
    { method: 'GET', url: '/redirect' },
    { method: 'GET', url: '/stream' },
    { method: 'DELETE', url: '/empty' },
  ] as const) {
    const response = await app.inject(request)
    t.equal(response.headers['x-frame-options'], 'DENY', `${request.method} ${request.url}`)
  }
})

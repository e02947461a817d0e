import t from 'tap'
import { build } from './fixtures/build.js'

t.test("the seed's headers, with X-XSS-Protection off and the Server masked", async (t) => {
  const app = await build()
  const response = await app.inject('/')
  t.equal(response.statusCode, 200)
  t.match(response.headers, {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy':
      'camera=(), microphone=(), geolocation=(), payment=(), usb=(), magnetometer=(), gyroscope=(), accelerometer=()',
    'cache-control': 'no-store, max-age=0',
    server: 'undisclosed',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-xss-protection': '0',
    'x-permitted-cross-domain-policies': 'none',
    'x-dns-prefetch-control': 'off',
  })
  t.notOk(response.headers['strict-transport-security'], 'no HSTS outside production')
  t.notOk(response.headers['content-security-policy'], 'no CSP unless configured')
})

t.test('every header can be changed or removed; X-Powered-By is removed', async (t) => {
  const app = await build(
    {
      server: false,
      frameOptions: 'SAMEORIGIN',
      referrerPolicy: 'no-referrer',
      permissionsPolicy: { fullscreen: ['self'], camera: null, geolocation: ['self', '"https://maps.example"'] },
      cacheControl: false,
      crossOriginResourcePolicy: 'cross-origin',
      xssProtection: false,
    },
    (app) => {
      app.get('/powered', async (_request, reply) => {
        reply.header('x-powered-by', 'Express').header('server', 'nginx/1.2')
        return 'x'
      })
    },
  )
  const response = await app.inject('/powered')
  t.notOk(response.headers.server, 'server removed')
  t.notOk(response.headers['x-powered-by'])
  t.equal(response.headers['x-frame-options'], 'SAMEORIGIN')
  t.equal(response.headers['referrer-policy'], 'no-referrer')
  t.equal(
    response.headers['permissions-policy'],
    'microphone=(), geolocation=(self "https://maps.example"), payment=(), usb=(), magnetometer=(), gyroscope=(), accelerometer=(), fullscreen=(self)',
  )
  t.notOk(response.headers['cache-control'])
  t.equal(response.headers['cross-origin-resource-policy'], 'cross-origin')
  t.notOk(response.headers['x-xss-protection'])
})

t.test('a header the route set itself is kept (Cache-Control for static assets)', async (t) => {
  const app = await build({}, (app) => {
    app.get('/asset.js', async (_request, reply) => {
      reply.header('Cache-Control', 'public, max-age=31536000, immutable')
      return 'x'
    })
  })
  const response = await app.inject('/asset.js')
  t.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal(response.headers['x-frame-options'], 'DENY')
})

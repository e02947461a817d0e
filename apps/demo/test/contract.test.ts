import t from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

async function demo(env: NodeJS.ProcessEnv = {}) {
  // Load shedding off: it answers 503 when this process's event loop lags 500 ms, which a CI machine
  // running several suites at once can cause; @rampart/ddos and the reliability suite test it.
  const app = await buildApp(loadConfig({ SECURITY_LOAD_SHEDDING: 'false', ...env }).config, { logger: false })
  t.teardown(() => app.close())
  return app
}

const SECURITY_HEADERS = [
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'permissions-policy',
  'x-request-id',
]

t.test('GET /health is 200 {"status":"ok"} and never rate limited', async (t) => {
  const app = await demo({ SECURITY_RATE_LIMIT_PER_MINUTE: '1', SECURITY_RATE_LIMIT_BURST: '0' })
  for (let i = 0; i < 5; i++) {
    const response = await app.inject('/health')
    t.equal(response.statusCode, 200)
    t.same(response.json(), { status: 'ok' })
  }
})

t.test('GET /api/test returns message, the resolved client_ip and headers', async (t) => {
  const app = await demo()
  const response = await app.inject({
    url: '/api/test',
    headers: { 'x-forwarded-for': '6.6.6.6', authorization: 'Bearer x' },
  })
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.equal(body.message, 'API is working')
  t.equal(body.client_ip, '127.0.0.1', 'X-Forwarded-For is not trusted by default')
  t.equal(body.headers['x-forwarded-for'], '6.6.6.6')
  t.equal(body.headers.authorization, '[redacted]')
  for (const name of SECURITY_HEADERS) t.ok(response.headers[name], name)

  const trusting = await demo({ SECURITY_TRUST_PROXY_HEADERS: 'true' })
  const proxied = await trusting.inject({ url: '/api/test', headers: { 'x-forwarded-for': '203.0.113.5' } })
  t.equal(proxied.json().client_ip, '203.0.113.5', 'from a trusted proxy the real client')
  const spoofed = await trusting.inject({
    url: '/api/test',
    remoteAddress: '198.51.100.9',
    headers: { 'x-forwarded-for': '203.0.113.5' },
  })
  t.equal(spoofed.json().client_ip, '198.51.100.9', 'from an untrusted peer the peer')
})

t.test('POST /api/echo and POST /api/test echo the JSON body', async (t) => {
  const app = await demo()
  for (const url of ['/api/echo', '/api/test']) {
    const response = await app.inject({ method: 'POST', url, payload: { test: 'data' } })
    t.equal(response.statusCode, 200, url)
    t.same(response.json(), { received: { test: 'data' } })
  }
})

t.test('size, type and rate refusals are problem+json with the security headers', async (t) => {
  const app = await demo({
    SECURITY_MAX_REQUEST_SIZE: '1024',
    SECURITY_RATE_LIMIT_PER_MINUTE: '5',
    SECURITY_RATE_LIMIT_BURST: '0',
  })
  const tooLarge = await app.inject({ method: 'POST', url: '/api/echo', payload: { test: 'x'.repeat(2000) } })
  t.equal(tooLarge.statusCode, 413)
  const xml = await app.inject({
    method: 'POST',
    url: '/api/echo',
    payload: '<a/>',
    headers: { 'content-type': 'application/xml' },
  })
  t.equal(xml.statusCode, 415)
  const notFound = await app.inject('/nope')
  t.equal(notFound.statusCode, 404)
  let last = notFound
  for (let i = 0; i < 5; i++) last = await app.inject('/api/test')
  t.equal(last.statusCode, 429, 'the limit holds across the earlier refusals')
  t.ok(Number(last.headers['retry-after']) >= 1)
  for (const response of [tooLarge, xml, notFound, last]) {
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    for (const name of SECURITY_HEADERS) t.ok(response.headers[name], `${response.statusCode} has ${name}`)
  }
})

t.test('POST /api/upload accepts a body up to SECURITY_MAX_UPLOAD_SIZE', async (t) => {
  const app = await demo({ SECURITY_MAX_UPLOAD_SIZE: String(3 * 1024 * 1024) })
  const body = Buffer.alloc(2 * 1024 * 1024, 1)
  const ok = await app.inject({
    method: 'POST',
    url: '/api/upload',
    payload: body,
    headers: { 'content-type': 'application/octet-stream' },
  })
  t.equal(ok.statusCode, 200)
  t.equal(ok.json().received_bytes, body.length)
  const tooBig = await app.inject({
    method: 'POST',
    url: '/api/upload',
    payload: Buffer.alloc(4 * 1024 * 1024, 1),
    headers: { 'content-type': 'application/octet-stream' },
  })
  t.equal(tooBig.statusCode, 413)
})

t.test('with REDIS_URL the limit is shared by every instance', async (t) => {
  const env = {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    SECURITY_RATE_LIMIT_PER_MINUTE: '3',
    SECURITY_RATE_LIMIT_BURST: '0',
  }
  // a fresh /64 per run, so counts left in Redis by an earlier run never meet this one
  const random = () => Math.floor(Math.random() * 0xffff).toString(16)
  const remoteAddress = `2001:db8:${random()}:${random()}::1`
  const first = await demo(env)
  const second = await demo(env)
  await first.ready()
  await second.ready()
  const statuses: number[] = []
  for (const app of [first, second, first, second]) {
    statuses.push((await app.inject({ url: '/api/test', remoteAddress })).statusCode)
  }
  t.same(statuses, [200, 200, 200, 429])
})

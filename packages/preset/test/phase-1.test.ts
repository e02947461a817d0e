import { type AddressInfo, connect } from 'node:net'
import Fastify from 'fastify'
import t from 'tap'
import { request } from 'undici'
import rampart, { rampartServerOptions } from '../src/index.js'

const SECURITY_HEADERS = [
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'permissions-policy',
  'cache-control',
]

async function listen(options: Parameters<typeof rampart>[1]) {
  const app = Fastify()
  await app.register(rampart, options)
  app.get('/health', async () => ({ status: 'ok' }))
  app.get('/api/test', async (req) => ({ client_ip: req.clientAddress.ip }))
  app.post('/api/echo', async (req) => ({ received: req.body }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

t.test('phase 1 over a real listener: every plugin in order, refusals with headers and ids', async (t) => {
  const base = await listen({
    phase: 1,
    proxyHeaders: { enabled: true, trustedProxies: ['127.0.0.1'] },
    trustedHost: { allowedHosts: ['127.0.0.1', 'localhost'] },
    cors: { origins: ['https://app.example.com'] },
    rateLimit: { perMinute: 3, perHour: 100, burst: 0 },
    contentGuard: { limits: { '/api/': 1024, '/': 1024 } },
  })

  const ok = await request(`${base}/api/test`, {
    headers: { 'x-forwarded-for': '203.0.113.5', origin: 'https://app.example.com' },
  })
  t.equal(ok.statusCode, 200)
  t.same(await ok.body.json(), { client_ip: '203.0.113.5' }, 'client resolved through the trusted proxy')
  t.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com')
  t.ok(ok.headers['x-request-id'])
  t.ok(ok.headers.ratelimit, 'IETF RateLimit header')
  for (const name of SECURITY_HEADERS) t.ok(ok.headers[name], name)

  const refusals = [
    await request(`${base}/api/test`, { headers: { host: 'evil.example' } }),
    await request(`${base}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 'x'.repeat(2000) }),
    }),
    await request(`${base}/api/echo`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' }),
    await request(`${base}/missing`),
  ]
  t.same(
    refusals.map((response) => response.statusCode),
    [400, 413, 415, 404],
  )
  // the same client (203.0.113.5 is not this one: these come from 127.0.0.1) exhausts its 3 requests
  let limited = await request(`${base}/api/test`)
  while (limited.statusCode === 200 || limited.statusCode === 404) {
    await limited.body.dump()
    limited = await request(`${base}/api/test`)
  }
  t.equal(limited.statusCode, 429)
  t.ok(Number(limited.headers['retry-after']) >= 1)
  refusals.push(limited)
  for (const response of refusals) {
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${response.statusCode} is problem+json`)
    t.ok(response.headers['x-request-id'], `${response.statusCode} has a request id`)
    for (const name of SECURITY_HEADERS) t.ok(response.headers[name], `${response.statusCode} has ${name}`)
    const body = (await response.body.json()) as { status: number; type: string }
    t.equal(body.status, response.statusCode)
  }

  for (let i = 0; i < 5; i++) {
    const health = await request(`${base}/health`)
    t.equal(health.statusCode, 200, 'health is never limited')
    await health.body.dump()
  }
})

t.test('plugins can be left out with false, and bad preset options fail register', async (t) => {
  const app = Fastify()
  await app.register(rampart, { phase: 1, rateLimit: false, headers: false, requestLog: false })
  app.get('/', async () => 'ok')
  const response = await app.inject('/')
  t.equal(response.headers['x-frame-options'], undefined)
  t.equal(response.headers['x-ratelimit-limit'], undefined)
  t.ok(response.headers['x-request-id'])

  const bad = Fastify()
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
  bad.register(rampart, { phase: 9 } as any)
  await t.rejects(async () => bad.ready(), { code: 'RAMPART_PRESET_INVALID_OPTION', message: /"phase"/ })
  const typo = Fastify()
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
  typo.register(rampart, { rateLimits: {} } as any)
  await t.rejects(async () => typo.ready(), { message: /"rateLimits" is not a known option/ })
})

t.test('with rampartServerOptions, requests no hook sees are refused like every other', async (t) => {
  const app = Fastify({ ...rampartServerOptions })
  await app.register(rampart, { phase: 1, trustedHost: false })
  app.get('/api/:name', async () => ({ ok: true }))
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port

  const badUrl = await request(`http://127.0.0.1:${port}/api/%FF`)
  t.equal(badUrl.statusCode, 400)
  t.equal(badUrl.headers['content-type'], 'application/problem+json; charset=utf-8')
  for (const name of SECURITY_HEADERS) t.ok(badUrl.headers[name], `undecodable URL: ${name}`)
  const body = (await badUrl.body.json()) as { requestId: string }
  t.equal(badUrl.headers['x-request-id'], body.requestId, 'undecodable URL: request id')

  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(text))
    socket.write('POST /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}')
  })
  t.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/, 'duplicate Content-Length: 400')
  t.match(answer, /\r\ncontent-type: application\/problem\+json; charset=utf-8\r\n/i)
  for (const name of SECURITY_HEADERS) t.match(answer, new RegExp(`\\r\\n${name}: `, 'i'), `parser refusal: ${name}`)
  t.match(answer, /\r\nx-request-id: [\w-]+\r\n/i, 'parser refusal: request id')
})

import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import t from 'tap'
import { Agent, request } from 'undici'
import rampartHeaders from '../src/index.js'
import { build, trustLoopback } from './fixtures/build.js'

const HSTS = 'strict-transport-security'
const VIA_PROXY = { url: '/', headers: { 'x-forwarded-proto': 'https' } }

t.test('not in development, even over https', async (t) => {
  const app = await build({}, trustLoopback)
  t.notOk(HSTS in (await app.inject(VIA_PROXY)).headers)
})

t.test('in production: never over plain http, always over https from a trusted proxy', async (t) => {
  const app = await build({ production: true }, trustLoopback)
  t.notOk(HSTS in (await app.inject('/')).headers, 'plain http')
  t.notOk(HSTS in (await app.inject({ url: '/', headers: { 'x-forwarded-proto': 'http' } })).headers, 'proxy says http')
  t.equal((await app.inject(VIA_PROXY)).headers[HSTS], 'max-age=31536000; includeSubDomains', 'proxy says https')
  t.equal(
    (await app.inject({ url: '/', headers: { forwarded: 'for=198.51.100.7;proto=https' } })).headers[HSTS],
    'max-age=31536000; includeSubDomains',
    'Forwarded: proto=https, as core resolves it',
  )
  const missing = await app.inject({ ...VIA_PROXY, url: '/missing' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.headers[HSTS], 'max-age=31536000; includeSubDomains', 'a 404 over https too')
})

t.test('X-Forwarded-Proto: https from an untrusted peer is ignored', async (t) => {
  const trusting = await build({ production: true }, trustLoopback)
  const spoofed = await trusting.inject({ ...VIA_PROXY, remoteAddress: '203.0.113.1' })
  t.notOk(HSTS in spoofed.headers, 'peer not in trustedProxies')
  const trustingNobody = await build({ production: true })
  t.notOk(HSTS in (await trustingNobody.inject(VIA_PROXY)).headers, 'no proxy trusted at all')
})

t.test('over a real TLS socket, without any proxy', async (t) => {
  const app = Fastify({
    https: {
      key: readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url)),
      cert: readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url)),
    },
  })
  await app.register(rampartHeaders, { production: true })
  app.get('/', async () => 'over TLS')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } })
  t.teardown(async () => {
    await dispatcher.close()
    await app.close()
  })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const response = await request(`https://127.0.0.1:${port}/`, { dispatcher })
  await response.body.text()
  t.equal(response.headers[HSTS], 'max-age=31536000; includeSubDomains')
  t.equal(response.headers['x-frame-options'], 'DENY')
})

t.test('maxAge, includeSubDomains and preload are configurable; false disables HSTS', async (t) => {
  const cases: [Parameters<typeof build>[0], string | undefined][] = [
    [{ production: true, hsts: { preload: true } }, 'max-age=31536000; includeSubDomains; preload'],
    [{ production: true, hsts: { maxAge: 63_072_000, preload: true } }, 'max-age=63072000; includeSubDomains; preload'],
    [{ production: true, hsts: { maxAge: 300, includeSubDomains: false } }, 'max-age=300'],
    [{ production: true, hsts: { maxAge: 0 } }, 'max-age=0; includeSubDomains'],
    [{ production: true, hsts: false }, undefined],
  ]
  for (const [options, expected] of cases) {
    const app = await build(options, trustLoopback)
    t.equal((await app.inject(VIA_PROXY)).headers[HSTS], expected, JSON.stringify(options))
  }
})

t.test('a Strict-Transport-Security the handler set is kept', async (t) => {
  const app = await build({ production: true }, (app) => {
    trustLoopback(app)
    app.get('/own', async (_request, reply) => reply.header(HSTS, 'max-age=60').send('x'))
  })
  t.equal((await app.inject({ ...VIA_PROXY, url: '/own' })).headers[HSTS], 'max-age=60')
})

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { build, serviceKey } from './fixtures/app.js'

t.test('default: public paths pass without credentials, everything else requires them', async (t) => {
  const { app } = await build()
  t.equal((await app.inject('/health')).statusCode, 200)
  t.equal((await app.inject('/docs/index.html')).statusCode, 200)
  t.equal((await app.inject('/api/data')).statusCode, 401)
  t.equal((await app.inject('/healthz')).statusCode, 401, 'segment-aware: /healthz is not /health')
})

t.test('public paths never look at credentials, not even invalid ones', async (t) => {
  const { app, jwt } = await build()
  const response = await app.inject({ url: '/health', headers: { 'x-token': 'forged' } })
  t.equal(response.statusCode, 200)
  t.same(response.json().identity, null)
  t.equal(jwt.calls, 0)
})

t.test('defaultPolicy optional with requiredPaths', async (t) => {
  const { app } = await build({ defaultPolicy: 'optional', requiredPaths: ['/api/data'] })
  t.equal((await app.inject('/api/data')).statusCode, 401)
  const anonymous = await app.inject('/api/files/report.pdf')
  t.equal(anonymous.statusCode, 200)
  t.same(anonymous.json().identity, null)
  const known = await app.inject({ url: '/api/files/report.pdf', headers: { 'x-token': 'alice' } })
  t.equal(known.json().identity.id, 'alice', 'a valid credential on an optional path still sets the identity')
  t.equal((await app.inject({ url: '/api/files/a', headers: { 'x-token': 'nope' } })).statusCode, 401)
})

t.test('optionalPaths, and the longest rule wins', async (t) => {
  const { app } = await build({ optionalPaths: ['/api'], requiredPaths: ['/api/files/private'] })
  t.equal((await app.inject('/api/data')).statusCode, 200)
  t.equal((await app.inject('/api/files/public.txt')).statusCode, 200)
  t.equal((await app.inject('/api/files/private/x.txt')).statusCode, 401)
})

t.test('route config beats the path rules', async (t) => {
  const { app } = await build({ defaultPolicy: 'optional' })
  t.equal((await app.inject('/api/open')).statusCode, 200)
  t.same((await app.inject({ url: '/api/open', headers: { 'x-token': 'alice' } })).json().identity, null)
  t.equal((await app.inject('/api/optional')).statusCode, 200)
  t.equal((await app.inject('/api/protected')).statusCode, 200, 'strategies alone do not make a route required')
  t.equal((await app.inject({ method: 'POST', url: '/api/invoices' })).statusCode, 401, 'scopes do')
})

t.test('spellings of a required path all require credentials', async (t) => {
  const { app } = await build({ defaultPolicy: 'optional', requiredPaths: ['/api/protected'] })
  app.get('/api/protected-area/x', async () => 'ok')
  const variants = [
    '/api/protected',
    '/api/protected/',
    '//api/protected',
    '/api/%70rotected',
    '/api//protected',
    '/api/./protected',
  ]
  for (const url of variants) {
    const response = await app.inject(url)
    t.not(response.statusCode, 200, url)
    t.ok([401, 404].includes(response.statusCode), `${url}: ${response.statusCode}`)
  }
  t.equal((await app.inject('/api/protected')).statusCode, 401)
  t.equal((await app.inject('/api/%70rotected')).statusCode, 401, 'routed after decoding, refused')
  t.equal((await app.inject('/api/protected-area/x')).statusCode, 200, 'prefixes are segment-aware')
})

t.test('router options that route more spellings to the route still require credentials', async (t) => {
  const Fastify = (await import('fastify')).default
  const { default: rampartAuth } = await import('../src/index.js')
  const { tokenStrategy } = await import('./fixtures/strategies.js')
  const app = Fastify({
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  })
  await app.register(rampartAuth, {
    strategies: [tokenStrategy()],
    defaultPolicy: 'optional',
    requiredPaths: ['/api/protected'],
  })
  app.get('/api/protected', async () => 'secret')
  for (const url of [
    '/api/protected',
    '/api/protected/',
    '//api/protected',
    '/API/protected',
    '/api/%70rotected',
    '/Api/Protected/',
  ]) {
    const response = await app.inject(url)
    t.equal(response.statusCode, 401, url)
  }
})

t.test('a public path reached through a required wildcard route is still required', async (t) => {
  const { app } = await build()
  t.equal((await app.inject('/api/files/..%2F..%2Fhealth')).statusCode, 401)
  // inject() resolves dot segments itself; a real client can send them raw.
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as AddressInfo
  const status = await new Promise<number | undefined>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/api/files/x/../../../health' }, (response) => {
        response.resume()
        resolve(response.statusCode)
      })
      .on('error', reject)
  })
  t.equal(status, 401, 'raw /api/files/x/../../../health is served by /api/files/* and needs credentials')
})

t.test('a 404 under a required path is 401 (no route map for anonymous clients)', async (t) => {
  const { app } = await build()
  t.equal((await app.inject('/api/nowhere')).statusCode, 401)
  t.equal((await app.inject({ url: '/api/nowhere', headers: { 'x-api-key': serviceKey.key } })).statusCode, 404)
})

t.test('routes registered before the plugin still get their route config', async (t) => {
  const Fastify = (await import('fastify')).default
  const { default: rampartAuth } = await import('../src/index.js')
  const { tokenStrategy } = await import('./fixtures/strategies.js')
  const app = Fastify()
  app.register(async (child) => {
    child.get('/early', { config: { rampart: { auth: { scopes: ['admin'] } } } }, async () => 'ok')
    child.get('/early-open', { config: { rampart: { auth: false } } }, async () => 'ok')
  })
  await app.register(rampartAuth, { strategies: [tokenStrategy()] })
  t.equal((await app.inject({ url: '/early', headers: { 'x-token': 'alice' } })).statusCode, 403)
  t.equal((await app.inject('/early-open')).statusCode, 200)
})

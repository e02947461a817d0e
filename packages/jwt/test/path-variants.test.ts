import http from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { bearer, build } from './fixtures/app.js'
import { hmacToken, nowSeconds, SECRET } from './fixtures/tokens.js'

t.test('spellings of a required path all require a token', async (t) => {
  const app = await build({ requiredPaths: ['/api'], publicPaths: ['/health', '/api/auth/login'] })
  for (const url of [
    '/api/protected',
    '//api/protected',
    '/api/protected/',
    '/%61pi/protected',
    '/api/%70rotected',
    '/api/./protected',
    '/api/files/x',
  ]) {
    const response = await app.inject(url)
    t.not(response.statusCode, 200, url)
    if (response.statusCode !== 404) t.equal(response.statusCode, 401, url)
  }
  // Public spellings never ask for a token (404 where no route serves that spelling).
  for (const url of ['/health', '//health', '/health/', '/%68ealth']) {
    t.not((await app.inject(url)).statusCode, 401, url)
  }
  for (const url of ['/api/auth/login', '//api/auth/login', '/api/auth/login/', '/api/auth/%6Cogin']) {
    t.not((await app.inject({ method: 'POST', url })).statusCode, 401, url)
  }
})

t.test('a public path reached through a required wildcard route is still required', async (t) => {
  const app = await build({ publicPaths: ['/health'] })
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
  t.equal(status, 401, 'raw /api/files/x/../../../health is served by /api/files/* and needs a token')
})

t.test('prefixes are segment-aware; 404s under a required path are 401 first', async (t) => {
  const app = await build()
  app.get('/healthz', async () => 'ok')
  t.equal((await app.inject('/healthz')).statusCode, 401, '/healthz is not /health')
  t.equal((await app.inject('/api/nothing-here')).statusCode, 401, 'no route map for strangers')
  const token = hmacToken(SECRET, { sub: 'u', exp: nowSeconds() + 60 })
  t.equal((await app.inject({ url: '/api/nothing-here', headers: bearer(token) })).statusCode, 404)
  t.equal((await app.inject('/docs/index.html')).statusCode, 404, 'public by default')
})

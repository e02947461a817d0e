import http from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { alice, build } from './fixtures/app.js'

t.test('spellings of a required path all require a key', async (t) => {
  const app = await build({ publicPaths: ['/health', '/api/public'] })
  for (const url of ['/api/protected', '/api/protected/', '//api/protected', '/api/%70rotected', '/api/./protected']) {
    const response = await app.inject(url)
    t.not(response.statusCode, 200, url)
    if (response.statusCode !== 404) t.equal(response.statusCode, 401, url)
  }
  t.equal((await app.inject('/api/data')).statusCode, 401)
})

t.test('a public path reached through a required wildcard route is still required', async (t) => {
  const app = await build({ publicPaths: ['/health'] })
  // Normalised, the path is /health (public); the route serving it is /api/files/* (required).
  const response = await app.inject({ url: '/api/files/..%2F..%2Fhealth' })
  t.equal(response.statusCode, 401)
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
  t.equal(status, 401, 'raw /api/files/x/../../../health is served by /api/files/* and needs a key')
  t.equal((await app.inject({ url: '/api/files/x', headers: { 'x-api-key': alice.key } })).statusCode, 200)
})

t.test('public prefixes are segment-aware: /healthz is not /health', async (t) => {
  const app = await build()
  app.get('/healthz', async () => 'ok')
  t.equal((await app.inject('/healthz')).statusCode, 401)
  t.equal((await app.inject('/health/')).statusCode, 404, 'public (no trailing-slash route): 404, not 401')
})

t.test('a 404 under a required path is 401, not a route map', async (t) => {
  const app = await build()
  t.equal((await app.inject('/api/nothing-here')).statusCode, 401)
  t.equal((await app.inject({ url: '/api/nothing-here', headers: { 'x-api-key': alice.key } })).statusCode, 404)
})

import { problemRepliesPlugin } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartContentGuard from '../src/index.js'
import { build, jsonOfSize, listen } from './fixtures/app.js'

const KIB = 1024
const MIB = 1024 * KIB

t.test("a 50 MiB limit on /api/upload really accepts 2 MiB, past Fastify's 1 MiB default", async (t) => {
  const app = await build()
  const json = await app.inject({ method: 'POST', url: '/api/upload', payload: jsonOfSize(2 * MIB) })
  t.same([json.statusCode, json.json()], [200, { size: 2 * MIB }])
  const binary = await app.inject({
    method: 'PUT',
    url: '/api/upload/file',
    headers: { 'content-type': 'application/octet-stream' },
    payload: Buffer.alloc(2 * MIB),
  })
  t.same([binary.statusCode, binary.json()], [200, { size: 2 * MIB }])
})

t.test('the same over a real socket', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const port = await listen(app)
  const response = await fetch(`http://127.0.0.1:${port}/api/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(jsonOfSize(2 * MIB)),
  })
  t.same([response.status, await response.json()], [200, { size: 2 * MIB }])
})

t.test("with adjustRouteBodyLimit: false, Fastify's own bodyLimit holds too", async (t) => {
  const app = await build({ adjustRouteBodyLimit: false })
  const response = await app.inject({ method: 'POST', url: '/api/upload', payload: jsonOfSize(2 * MIB) })
  t.equal(response.statusCode, 413)
  t.match(response.json(), { code: 'RAMPART_CORE_HTTP_413', errorCode: 'FST_ERR_CTP_BODY_TOO_LARGE' })
})

t.test("each route's Fastify bodyLimit is the most content-guard allows on it", async (t) => {
  const app = await build(undefined, (app) => {
    const handler = async (request: { routeOptions: { bodyLimit: number } }) => ({
      bodyLimit: request.routeOptions.bodyLimit,
    })
    app.post('/api/upload', handler)
    app.post('/api/users', handler)
    app.post('/contact', handler)
    app.post('/api/:resource', handler)
    app.post('/:page', handler)
    app.post('/files/*', handler)
    app.route({ method: ['POST', 'OPTIONS'], url: '/api/upload/mixed', handler })
    app.get('/api/upload/list', handler)
    app.post('/explicit', { bodyLimit: 5000 }, handler)
    app.post('/configured', { config: { rampart: { contentGuard: { bodyLimit: 7000 } } } }, handler)
    app.post('/off', { config: { rampart: { contentGuard: false } } }, handler)
  })
  const cases: [string, string, number][] = [
    ['POST', '/api/upload', 50 * MIB],
    ['POST', '/api/users', 1 * MIB],
    ['POST', '/contact', 64 * KIB],
    ['POST', '/api/images', 50 * MIB], // /api/:resource can be /api/upload
    ['POST', '/about', 1 * MIB], // /:page can be /api, never /api/upload
    ['POST', '/files/a/b', 64 * KIB],
    ['POST', '/api/upload/mixed', 1 * MIB], // OPTIONS is skipped but parsed: not above Fastify's default
    ['GET', '/api/upload/list', 1 * MIB], // GET-only: untouched
    ['POST', '/explicit', 5000],
    ['POST', '/configured', 7000],
    ['POST', '/off', 1 * MIB],
  ]
  for (const [method, url, bodyLimit] of cases) {
    const response = await app.inject({ method: method as 'GET', url })
    t.same(response.json(), { bodyLimit }, `${method} ${url}`)
  }
})

t.test("a route's explicit Fastify bodyLimit is its content-guard limit", async (t) => {
  const app = await build(undefined, (app) => {
    app.post('/big', { bodyLimit: 2 * MIB }, async () => ({ ok: true }))
    app.post('/small', { bodyLimit: 100 }, async () => ({ ok: true }))
  })
  t.equal((await app.inject({ method: 'POST', url: '/big', payload: jsonOfSize(MIB) })).statusCode, 200)
  const small = await app.inject({ method: 'POST', url: '/small', payload: jsonOfSize(101) })
  t.same([small.statusCode, small.json().code, small.json().limit], [413, 'RAMPART_CONTENT_GUARD_TOO_LARGE', 100])
})

t.test('a route registered before the plugin keeps its bodyLimit; path limits still hold', async (t) => {
  const app = Fastify()
  await app.register(problemRepliesPlugin)
  app.post('/early', async (request) => ({ bodyLimit: request.routeOptions.bodyLimit }))
  await app.register(rampartContentGuard, { limits: { '/': 100 } })
  t.same((await app.inject({ method: 'POST', url: '/early', payload: { a: 1 } })).json(), { bodyLimit: MIB })
  const over = await app.inject({ method: 'POST', url: '/early', payload: jsonOfSize(101) })
  t.equal(over.json().limit, 100)
})

t.test('a limit of 0 refuses any body and still registers', async (t) => {
  const app = await build({ limits: { '/': 0 } }, (app) => {
    app.post('/x', async () => ({ ok: true }))
  })
  t.equal((await app.inject({ method: 'POST', url: '/x' })).statusCode, 200, 'no body is fine')
  const one = await app.inject({ method: 'POST', url: '/x', payload: 'a', headers: { 'content-type': 'text/plain' } })
  t.same([one.statusCode, one.json().limit], [413, 0])
})

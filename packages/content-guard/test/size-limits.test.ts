import t from 'tap'
import { type TooLargeEvent, tooLargeChannel } from '../src/index.js'
import { build, jsonOfSize, listen, rawRequest } from './fixtures/app.js'

const KIB = 1024
const MIB = 1024 * KIB

t.test('seed: a 2,000-byte body over a 1 KiB /api/ limit is 413 problem+json; a small one passes', async (t) => {
  const app = await build({ limits: { '/api/': 1024 } })
  const small = await app.inject({ method: 'POST', url: '/api/test', payload: { test: 'data' } })
  t.equal(small.statusCode, 200)
  const large = await app.inject({ method: 'POST', url: '/api/test', payload: jsonOfSize(2000) })
  t.equal(large.statusCode, 413)
  t.match(large.headers['content-type'], /^application\/problem\+json/)
  t.match(large.json(), { status: 413, code: 'RAMPART_CONTENT_GUARD_TOO_LARGE', limit: 1024 })
  t.equal(large.headers.connection, 'close', 'the unread body is not drained on a kept-alive connection')
})

t.test('the seed defaults, by longest segment-aware prefix', async (t) => {
  const app = await build()
  const cases: [string, number][] = [
    ['/api/upload', 50 * MIB],
    ['/api/upload/part/2', 50 * MIB],
    ['/api/import', 10 * MIB],
    ['/api/users', 1 * MIB],
    ['/api', 1 * MIB],
    ['/api/uploads', 1 * MIB],
    ['/apix', 64 * KIB],
    ['/webhook/stripe', 256 * KIB],
    ['/webhooks', 64 * KIB],
    ['/graphql', 100 * KIB],
    ['/', 64 * KIB],
    ['/anything/else', 64 * KIB],
  ]
  for (const [url, limit] of cases) {
    // Refused from the header alone: the body is never read.
    const over = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'content-length': String(limit + 1) },
      payload: '{}',
    })
    t.equal(over.statusCode, 413, `${url} over ${limit}`)
    t.equal(over.json().limit, limit, `${url} has limit ${limit}`)
  }
})

t.test('rules are ordered by length, not by the order they were written in', async (t) => {
  for (const limits of [
    { '/': 10, '/a': 100, '/a/b': 1000 },
    { '/a/b': 1000, '/a': 100, '/': 10 },
  ]) {
    const app = await build({ limits })
    const probe = async (url: string) =>
      (
        await app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'text/plain', 'content-length': '5000' },
          payload: 'x',
        })
      ).json().limit
    t.same([await probe('/a/b/c'), await probe('/a/x'), await probe('/b')], [1000, 100, 10])
  }
})

t.test('limits replace the defaults; a path under no prefix then gets 64 KiB', async (t) => {
  const app = await build({ limits: { '/api/': 1024 } })
  const upload = await app.inject({
    method: 'POST',
    url: '/api/upload',
    headers: { 'content-type': 'application/json', 'content-length': '2000' },
    payload: '{}',
  })
  t.equal(upload.json().limit, 1024, '/api/upload is no longer 50 MiB')
  const other = await app.inject({
    method: 'POST',
    url: '/other',
    headers: { 'content-type': 'application/json', 'content-length': String(64 * KIB + 1) },
    payload: '{}',
  })
  t.equal(other.json().limit, 64 * KIB)
})

t.test('extendDefaults merges limits over the defaults, per prefix', async (t) => {
  const app = await build({ extendDefaults: true, limits: { '/reports': 5 * MIB, '/api': 2 * MIB } })
  const limitOf = async (url: string) =>
    (
      await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'content-length': String(60 * MIB) },
        payload: '{}',
      })
    ).json().limit
  t.equal(await limitOf('/reports/q1'), 5 * MIB)
  t.equal(await limitOf('/api/users'), 2 * MIB, '"/api" replaces the default "/api/"')
  t.equal(await limitOf('/api/upload'), 50 * MIB)
  t.equal(await limitOf('/x'), 64 * KIB)
})

const VARIANT_LIMITS = { limits: { '/api/upload': 3000, '/api/': 1000, '/': 500 } }

t.test('spellings of a limited path get its limit (catch-all route)', async (t) => {
  const app = await build(VARIANT_LIMITS)
  for (const url of [
    '/api/upload',
    '/api/%75pload',
    '/api/upload/',
    '//api/upload',
    '/api/x/../upload',
    '/api/./upload',
  ]) {
    const fits = await app.inject({ method: 'POST', url, payload: jsonOfSize(2000) })
    t.equal(fits.statusCode, 200, `${url}: 2000 bytes fit`)
    const over = await app.inject({ method: 'POST', url, payload: jsonOfSize(3001) })
    t.equal(over.statusCode, 413, `${url}: 3001 bytes do not`)
    t.equal(over.json().limit, 3000)
  }
})

t.test('spellings of a limited path get its limit (static route, lenient router)', async (t) => {
  const app = await build(
    VARIANT_LIMITS,
    (app) => {
      app.post('/api/upload', async () => ({ route: 'upload' }))
    },
    { routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true } },
  )
  for (const url of ['/api/upload', '/api/%75pload', '/api/upload/', '//api/upload']) {
    const fits = await app.inject({ method: 'POST', url, payload: jsonOfSize(2000) })
    t.same([fits.statusCode, fits.json()], [200, { route: 'upload' }], `${url}: 2000 bytes fit`)
    const over = await app.inject({ method: 'POST', url, payload: jsonOfSize(3001) })
    t.equal(over.json().limit, 3000, `${url}: 3001 bytes do not`)
  }
})

t.test('spellings the client sends verbatim on a real socket', async (t) => {
  const app = await build(VARIANT_LIMITS)
  t.teardown(() => app.close())
  const port = await listen(app)
  const body = JSON.stringify(jsonOfSize(2000))
  for (const target of ['/api/./upload', '//api/upload', '/api/x/../upload', '/api/%75pload/']) {
    const response = await rawRequest(port, [
      `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      body,
    ])
    t.equal(response.status, 200, `${target}: 2000 bytes fit`)
    const over = await rawRequest(port, [
      `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3001\r\n\r\n`,
    ])
    t.equal(over.status, 413, `${target}: 3001 bytes do not`)
    t.equal(JSON.parse(over.body).limit, 3000)
  }
})

t.test('an encoded slash cannot reach a larger limit than the router sees', async (t) => {
  const app = await build(VARIANT_LIMITS, (app) => {
    app.post('/:file', async (request) => ({ params: request.params }))
  })
  // The router sees one segment "api/upload"; decoding %2F would make it /api/upload (3000).
  const response = await app.inject({ method: 'POST', url: '/api%2Fupload', payload: jsonOfSize(2000) })
  t.equal(response.statusCode, 413)
  t.equal(response.json().limit, 500)
  const query = await app.inject({ method: 'POST', url: '/x?next=%2Fapi%2Fupload', payload: jsonOfSize(400) })
  t.equal(query.statusCode, 200, 'an encoded slash in the query changes nothing')
})

t.test('per-route bodyLimit and opt-out', async (t) => {
  const app = await build(VARIANT_LIMITS, (app) => {
    app.post('/api/tiny', { config: { rampart: { contentGuard: { bodyLimit: 10 } } } }, async () => ({ ok: 1 }))
    app.post('/api/big/:id', { config: { rampart: { contentGuard: { bodyLimit: 5000 } } } }, async () => ({ ok: 1 }))
    app.post('/raw', { config: { rampart: { contentGuard: false } } }, async () => ({ ok: 1 }))
  })
  const tiny = await app.inject({ method: 'POST', url: '/api/tiny', payload: { a: 12345 } })
  t.same([tiny.statusCode, tiny.json().limit], [413, 10])
  t.equal((await app.inject({ method: 'POST', url: '/api/big/1', payload: jsonOfSize(4000) })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/api/big/1', payload: jsonOfSize(5001) })).json().limit, 5000)
  const raw = await app.inject({ method: 'POST', url: '/raw', payload: jsonOfSize(4000) })
  t.equal(raw.statusCode, 200, 'contentGuard: false turns the limit off')
})

t.test('too-large events, declared', async (t) => {
  const app = await build({ limits: { '/': 100 } })
  const events: TooLargeEvent[] = []
  t.teardown(tooLargeChannel.subscribe((event) => events.push(event)))
  await app.inject({ method: 'POST', url: '/x', payload: jsonOfSize(150) })
  t.equal(events.length, 1)
  t.match(events[0], { limit: 100, received: 150, source: 'content-length' })
  t.equal(events[0]?.request.url, '/x')
})

t.test('dot segments sent verbatim cannot lift a route above what its pattern can reach', async (t) => {
  const app = await build(VARIANT_LIMITS, (app) => {
    app.post('/public/*', async (request) => ({ params: request.params }))
  })
  t.teardown(() => app.close())
  const port = await listen(app)
  // The router serves /public/* with "../api/upload"; the normalised path would be /api/upload (3000).
  const response = await rawRequest(port, [
    'POST /public/../api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n',
  ])
  t.equal(response.status, 413)
  t.equal(JSON.parse(response.body).limit, 500)
})

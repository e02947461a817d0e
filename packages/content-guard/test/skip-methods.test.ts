import t from 'tap'
import { build } from './fixtures/app.js'

/** An XML body of 100 bytes: over the 10-byte limit, of a type no method accepts. */
const NOISE = { headers: { 'content-type': 'application/xml' }, payload: `<a>${'x'.repeat(93)}</a>` }

t.test('GET, HEAD and OPTIONS skip the body checks', async (t) => {
  const app = await build({ limits: { '/': 10 } })
  for (const method of ['GET', 'HEAD', 'OPTIONS'] as const) {
    const body = await app.inject({ method, url: '/x', ...NOISE })
    t.equal(body.statusCode, 200, `${method} with a large XML body`)
    const invalid = await app.inject({ method, url: '/x', headers: { 'content-length': 'abc' } })
    t.equal(invalid.statusCode, 200, `${method} with an invalid Content-Length`)
  }
  const huge = await app.inject({ method: 'GET', url: '/x', headers: { 'content-length': String(2 ** 40) } })
  t.equal(huge.statusCode, 200, 'GET with a 1 TiB declared body: Fastify never reads a GET body')
  const post = await app.inject({ method: 'POST', url: '/x', ...NOISE })
  t.equal(post.statusCode, 413, 'the same request as POST is checked')
})

t.test('DELETE is not skipped: its body is size-checked', async (t) => {
  const app = await build({ limits: { '/': 10 } })
  const response = await app.inject({ method: 'DELETE', url: '/x', ...NOISE })
  t.same([response.statusCode, response.json().limit], [413, 10])
})

t.test('skipMethods replaces the list', async (t) => {
  const app = await build({ limits: { '/': 10 }, skipMethods: ['get', 'HEAD'] })
  const options = await app.inject({ method: 'OPTIONS', url: '/x', ...NOISE })
  t.same([options.statusCode, options.json().code], [413, 'RAMPART_CONTENT_GUARD_TOO_LARGE'], 'OPTIONS is checked')
  t.equal((await app.inject({ method: 'GET', url: '/x', ...NOISE })).statusCode, 200)
})

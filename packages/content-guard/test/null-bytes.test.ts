import t from 'tap'
import { type NullByteEvent, nullByteChannel } from '../src/index.js'
import { build, listen, rawRequest } from './fixtures/app.js'

t.test('a NUL byte in the path or query, raw or %00, is 400 problem+json', async (t) => {
  const app = await build()
  const events: NullByteEvent[] = []
  t.teardown(nullByteChannel.subscribe((event) => events.push(event)))
  const urls = ['/a%00b', '/%00', '/file.txt%00.png', '/x?name=%00', '/x?a=1&b=abc%00def', '/a\0b']
  for (const url of urls) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 400, JSON.stringify(url))
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.equal(response.json().code, 'RAMPART_CONTENT_GUARD_NULL_BYTE')
  }
  t.equal(events.length, urls.length)
})

t.test('%2500 decodes to the text "%00", not to NUL: it passes', async (t) => {
  const app = await build()
  for (const url of ['/a%2500b', '/x?q=%2500', '/a%250', '/100%25', '/x?q=0%2000']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url)
  }
})

t.test('every method is checked, matched route or not, before the body', async (t) => {
  const app = await build(undefined, (app) => {
    app.post('/known', async () => ({ ok: true }))
  })
  for (const method of ['GET', 'HEAD', 'OPTIONS', 'POST', 'DELETE'] as const) {
    t.equal((await app.inject({ method, url: '/known%00' })).statusCode, 400, method)
  }
  const unrouted = await app.inject({ method: 'POST', url: '/nowhere/%00', payload: { a: 1 } })
  t.equal(unrouted.statusCode, 400, 'a 404 path too')
})

t.test('over a real socket: %00 is refused by the plugin; a raw NUL by Node itself', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const port = await listen(app)
  const encoded = await rawRequest(port, ['GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n'])
  t.equal(encoded.status, 400)
  t.equal(JSON.parse(encoded.body).code, 'RAMPART_CONTENT_GUARD_NULL_BYTE')
  const raw = await rawRequest(port, ['GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n'])
  t.equal(raw.status, 400)
})

t.test('rejectNullBytes: false, or a route opting out, lets it through', async (t) => {
  const off = await build({ rejectNullBytes: false })
  t.equal((await off.inject('/a%00b')).statusCode, 200)
  const route = await build(undefined, (app) => {
    app.get('/raw/:id', { config: { rampart: { contentGuard: false } } }, async () => ({ ok: true }))
    app.get('/checked/:id', async () => ({ ok: true }))
  })
  t.equal((await route.inject('/raw/%00')).statusCode, 200)
  t.equal((await route.inject('/checked/%00')).statusCode, 400)
})

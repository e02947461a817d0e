import { ClientAddressResolver, type Identity, setClientAddressResolver } from '@rampart/core'
import t from 'tap'
import { build } from './fixtures/build.js'

t.test('one line per request with every field', async (t) => {
  const { app, lines, requestLines } = await build()
  const response = await app.inject({ url: '/users/42?page=2', headers: { 'x-request-id': 'ignored' } })
  t.equal(response.statusCode, 200)
  const all = requestLines()
  t.equal(all.length, 1, 'exactly one line')
  const line = all[0] ?? {}
  t.equal(line.msg, 'request completed')
  t.equal(line.level, 30)
  t.equal(line.method, 'GET')
  t.equal(line.route, '/users/:id', 'the route pattern, not the raw path')
  t.equal(line.url, '/users/42?page=2')
  t.equal(line.statusCode, 200)
  t.type(line.durationMs, 'number')
  t.ok((line.durationMs as number) >= 0)
  t.equal(line.clientIp, '127.0.0.1')
  t.match(line.reqId, /^req-/, 'the request id, under Fastify’s requestIdLogLabel')
  t.notOk('userId' in line, 'no user id when anonymous')
  t.notOk('requestHeaders' in line, 'headers are off by default')
  t.equal(lines.length, 1, 'and nothing else was logged')
})

t.test('the request id is the one the request carries', async (t) => {
  const { app, requestLines } = await build({}, (app) => {
    app.get('/', async (request) => {
      request.log.info('inside')
      return request.id
    })
  })
  const response = await app.inject('/')
  t.equal(requestLines()[0]?.reqId, response.body)
})

t.test('the user id when an authentication plugin set request.identity', async (t) => {
  const identity: Identity = { id: 'user-7', kind: 'user', scopes: [] }
  const { app, requestLines } = await build({}, (app) => {
    app.decorateRequest('identity', null)
    app.addHook('onRequest', async (request) => {
      if (request.headers.authorization !== undefined) request.identity = identity
    })
    app.get('/', async () => 'ok')
  })
  await app.inject({ url: '/', headers: { authorization: 'Bearer x' } })
  await app.inject('/')
  const [known, anonymous] = requestLines()
  t.equal(known?.userId, 'user-7')
  t.notOk(anonymous !== undefined && 'userId' in anonymous)
})

t.test('the client IP is the one core resolved through the trusted proxies', async (t) => {
  const { app, requestLines } = await build({}, (app) => {
    setClientAddressResolver(app, new ClientAddressResolver({ trustedProxies: ['10.0.0.0/8'] }))
    app.get('/', async () => 'ok')
  })
  await app.inject({ url: '/', remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': '198.51.100.3' } })
  await app.inject({ url: '/', remoteAddress: '203.0.113.4', headers: { 'x-forwarded-for': '198.51.100.3' } })
  const [viaProxy, spoofed] = requestLines()
  t.equal(viaProxy?.clientIp, '198.51.100.3')
  t.equal(spoofed?.clientIp, '203.0.113.4', 'an untrusted peer cannot choose the logged IP')
})

t.test('a custom message', async (t) => {
  const { app, requestLines } = await build({ message: 'http' })
  await app.inject('/')
  t.equal(requestLines()[0]?.msg, 'http')
})

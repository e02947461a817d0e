import t from 'tap'
import { build, rawRequest } from './fixtures/helpers.js'

t.test('a request without a Host, or with an empty one, is refused with MISSING', async (t) => {
  const app = await build({ allowedHosts: ['localhost'] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as { port: number }

  const noHost = await rawRequest(port, 'GET / HTTP/1.0\r\n\r\n')
  t.equal(noHost.status, 400, 'HTTP/1.0 without Host')
  t.equal(JSON.parse(noHost.body).code, 'RAMPART_TRUSTED_HOST_MISSING')

  const emptyHost = await rawRequest(port, 'GET / HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n')
  t.equal(emptyHost.status, 400, 'HTTP/1.1 with an empty Host')
  t.equal(JSON.parse(emptyHost.body).code, 'RAMPART_TRUSTED_HOST_MISSING')

  const badHost = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n')
  t.equal(badHost.status, 400, 'a malformed Host')
  t.equal(JSON.parse(badHost.body).code, 'RAMPART_TRUSTED_HOST_MISSING')

  const good = await rawRequest(port, `GET / HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`)
  t.equal(good.status, 200, 'an allowed Host on the same socket path')
})

t.test("with '*' nothing is checked, not even a missing Host", async (t) => {
  const app = await build({ allowedHosts: ['*'] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as { port: number }
  t.equal((await rawRequest(port, 'GET / HTTP/1.0\r\n\r\n')).status, 200)
  t.equal((await app.inject({ url: '/', headers: { host: 'anything.evil' } })).statusCode, 200)
  t.equal(app.hasRequestDecorator('rampart.core.clientAddress'), false)
})

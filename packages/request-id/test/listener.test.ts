import { connect } from 'node:net'
import Fastify from 'fastify'
import t from 'tap'
import { request } from 'undici'
import rampartRequestId from '../src/index.js'
import { UUID } from './fixtures/log-capture.js'

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.on('data', (chunk) => {
      received += chunk.toString()
    })
    socket.on('end', () => resolve(received))
    socket.on('close', () => resolve(received))
    socket.on('error', reject)
    socket.write(text)
  })
}

t.test('through a real listener: echoed ids, and CR/LF in the header never reaches the app', async (t) => {
  const app = Fastify()
  await app.register(rampartRequestId)
  const seen: string[] = []
  app.get('/', async (request) => {
    seen.push(request.id)
    return { id: request.id }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const port = (app.server.address() as { port: number }).port

  const ok = await request(`http://127.0.0.1:${port}/`, { headers: { 'x-request-id': 'real-socket-1' } })
  t.equal(ok.headers['x-request-id'], 'real-socket-1')
  await ok.body.dump()

  const long = await request(`http://127.0.0.1:${port}/`, { headers: { 'x-request-id': 'y'.repeat(5000) } })
  t.match(long.headers['x-request-id'], UUID)
  await long.body.dump()

  // A bare CR inside a header value is refused by Node's HTTP parser before Fastify sees it.
  const bareCr = await rawRequest(
    port,
    'GET / HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc\rSet-Cookie: a=b\r\nConnection: close\r\n\r\n',
  )
  t.match(bareCr, /^HTTP\/1\.1 400/)
  // An obsolete line fold does not smuggle a second line into the id either.
  const folded = await rawRequest(
    port,
    'GET / HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc\r\n Set-Cookie: a=b\r\nConnection: close\r\n\r\n',
  )
  const echoed = /x-request-id: ([^\r\n]*)/i.exec(folded)?.[1]
  if (echoed !== undefined) t.notMatch(echoed, /Set-Cookie|\s/, 'if accepted at all, the folded value is not echoed')
  else t.match(folded, /^HTTP\/1\.1 400/)
  t.ok(
    seen.every((id) => !/[\r\n]/.test(id)),
    'no id the app saw has CR or LF',
  )
})

import net from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import {
  addHooklessHeaders,
  type ClientErrorEvent,
  clientErrorChannel,
  problemClientErrorHandler,
  problemFrameworkErrors,
  problemRepliesPlugin,
  type RefusalEvent,
  refusalChannel,
} from '../src/index.js'

async function build(): Promise<FastifyInstance> {
  const app = Fastify({ clientErrorHandler: problemClientErrorHandler, frameworkErrors: problemFrameworkErrors })
  await app.register(problemRepliesPlugin)
  addHooklessHeaders(app, (requestId, secure) => ({
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
    'x-secure': String(secure),
  }))
  app.get('/files/:name', async () => ({ ok: true }))
  return app
}

/** Sends raw bytes and reads until the server closes the connection. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      answer += chunk
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(answer))
    socket.write(bytes)
  })
}

function parse(answer: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = answer.split('\r\n\r\n')
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body }
}

t.test('what Node refuses is a problem+json with the hookless headers and a request id', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as net.AddressInfo).port
  const events: ClientErrorEvent[] = []
  t.teardown(clientErrorChannel.subscribe((event) => events.push(event)))

  const cases: [string, string, number][] = [
    [
      'duplicate Content-Length',
      'POST /files/a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      400,
    ],
    [
      'Content-Length with Transfer-Encoding',
      'POST /files/a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
    ['raw NUL in a header', 'GET /files/a HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', 400],
    ['headers over the limit', `GET /files/a HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ]
  for (const [name, bytes, status] of cases) {
    const answer = parse(await raw(port, bytes))
    t.equal(answer.status, status, `${name}: status`)
    t.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8', `${name}: problem+json`)
    t.equal(answer.headers['x-content-type-options'], 'nosniff', `${name}: security header`)
    t.equal(answer.headers.connection, 'close', `${name}: closes`)
    t.equal(answer.headers['x-secure'], 'false', `${name}: plain TCP`)
    const body = JSON.parse(answer.body)
    t.equal(body.status, status, `${name}: body status`)
    t.equal(body.code, `RAMPART_CORE_HTTP_${status}`, `${name}: code`)
    t.equal(body.requestId, answer.headers['x-request-id'], `${name}: one request id in body and header`)
    t.equal(Number(answer.headers['content-length']), Buffer.byteLength(answer.body), `${name}: framing`)
  }
  t.equal(events.length, cases.length, 'each refusal published on rampart:core:client-error')
  t.match(events[0], { status: 400, code: 'HPE_UNEXPECTED_CONTENT_LENGTH', remoteAddress: '127.0.0.1' })
  t.match(events[3], { status: 431, code: 'HPE_HEADER_OVERFLOW' })

  // The server keeps serving after every refusal.
  const ok = parse(await raw(port, 'GET /files/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
  t.equal(ok.status, 200)
})

t.test('an undecodable URL is a problem+json that does not echo the target', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const refusals: RefusalEvent[] = []
  t.teardown(refusalChannel.subscribe((event) => refusals.push(event)))
  const response = await app.inject('/files/%FF<script>')
  t.equal(response.statusCode, 400)
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal(response.headers['x-content-type-options'], 'nosniff')
  t.equal(response.headers['x-request-id'], response.json().requestId)
  t.match(response.json(), { status: 400, code: 'RAMPART_CORE_HTTP_400', errorCode: 'FST_ERR_BAD_URL' })
  t.notMatch(response.body, /script/, 'the attacker-controlled target is not reflected')
  t.equal(refusals.length, 1, 'counted like every refusal')
})

t.test('an over-long path parameter is a 414 problem+json', async (t) => {
  const app = Fastify({ frameworkErrors: problemFrameworkErrors, routerOptions: { maxParamLength: 10 } })
  app.get('/files/:name', async () => ({ ok: true }))
  t.teardown(() => app.close())
  const response = await app.inject(`/files/${'a'.repeat(50)}`)
  t.equal(response.statusCode, 414)
  t.equal(response.json().errorCode, 'FST_ERR_MAX_PARAM_LENGTH')
})

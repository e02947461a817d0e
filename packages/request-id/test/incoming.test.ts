import Fastify from 'fastify'
import t from 'tap'
import rampartRequestId, { type RequestIdOptions } from '../src/index.js'
import { logCapture, UUID } from './fixtures/log-capture.js'

async function build(options: RequestIdOptions = {}) {
  const capture = logCapture()
  const app = Fastify({ logger: { level: 'info', stream: capture.stream } })
  await app.register(rampartRequestId, options)
  app.get('/', async (request) => {
    request.log.info('in the handler')
    return { id: request.id }
  })
  return { app, lines: capture.lines }
}

t.test('a valid incoming id is echoed, becomes request.id and is on every log line of the request', async (t) => {
  const { app, lines } = await build()
  const id = 'abc-123_DEF.456:789'
  const response = await app.inject({ url: '/', headers: { 'x-request-id': id } })
  t.equal(response.headers['x-request-id'], id)
  t.equal(response.json().id, id)
  const handlerLine = lines.find((line) => line.msg === 'in the handler')
  t.equal(handlerLine?.reqId, id, 'request.log carries it')
  const ofRequest = lines.filter((line) => line.reqId !== undefined)
  t.ok(ofRequest.length >= 3, 'incoming request, handler, request completed')
  t.ok(
    ofRequest.every((line) => line.reqId === id),
    'Fastify’s own lines carry it too',
  )
})

t.test('a missing id is generated: a UUID, different for every request', async (t) => {
  const { app } = await build()
  const first = await app.inject('/')
  const second = await app.inject('/')
  t.match(first.headers['x-request-id'], UUID)
  t.equal(first.json().id, first.headers['x-request-id'])
  t.not(first.headers['x-request-id'], second.headers['x-request-id'])
})

t.test('unsafe incoming ids are replaced, never echoed or logged', async (t) => {
  const { app, lines } = await build()
  const unsafe = [
    'x'.repeat(5 * 1024),
    'x'.repeat(129),
    'abc\r\nSet-Cookie: session=evil',
    'abc\nlevel=50',
    'abc\r',
    'with space',
    'quote"d',
    'back\\slash',
    'comma,separated',
    'semi;colon',
    '<script>alert(1)</script>',
    'caf\u00e9',
    'emoji\u{1F600}',
    'nul\u0000byte',
    '%0d%0a',
    'base64+/=',
    '',
  ]
  for (const value of unsafe) {
    const response = await app.inject({ url: '/', headers: { 'x-request-id': value } })
    const label = JSON.stringify(value.slice(0, 30))
    t.match(response.headers['x-request-id'], UUID, label)
    t.equal(response.json().id, response.headers['x-request-id'], label)
  }
  const logged = JSON.stringify(lines)
  t.notMatch(
    logged,
    /Set-Cookie|level=50|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/,
  )
})

t.test('exactly maxLength is accepted, one more is not; maxLength is configurable', async (t) => {
  const { app } = await build()
  const max = 'a'.repeat(128)
  t.equal((await app.inject({ url: '/', headers: { 'x-request-id': max } })).headers['x-request-id'], max)
  const short = await build({ maxLength: 8 })
  t.equal((await short.app.inject({ url: '/', headers: { 'x-request-id': '12345678' } })).json().id, '12345678')
  t.match((await short.app.inject({ url: '/', headers: { 'x-request-id': '123456789' } })).json().id, UUID)
})

t.test('extraCharacters admits base64 ids', async (t) => {
  const { app } = await build({ extraCharacters: '+/=' })
  const id = 'dGhpcyBpcyBhbiBpZA+/=='
  t.equal((await app.inject({ url: '/', headers: { 'x-request-id': id } })).json().id, id)
  t.match((await app.inject({ url: '/', headers: { 'x-request-id': 'a b' } })).json().id, UUID)
})

t.test('trustIncoming: false always generates', async (t) => {
  const { app } = await build({ trustIncoming: false })
  const response = await app.inject({ url: '/', headers: { 'x-request-id': 'perfectly-fine-id' } })
  t.match(response.json().id, UUID)
  t.equal(response.headers['x-request-id'], response.json().id)
})

t.test('a custom header name is read and echoed', async (t) => {
  const { app } = await build({ header: 'X-Correlation-ID' })
  const response = await app.inject({
    url: '/',
    headers: { 'x-correlation-id': 'corr-1', 'x-request-id': 'ignored-1' },
  })
  t.equal(response.json().id, 'corr-1')
  t.equal(response.headers['x-correlation-id'], 'corr-1')
  t.equal(response.headers['x-request-id'], undefined)
})

t.test('a custom generator is used; an id it makes that fails the checks is replaced', async (t) => {
  let counter = 0
  const { app } = await build({ generate: () => `svc-${++counter}` })
  t.equal((await app.inject('/')).json().id, 'svc-1')
  t.equal((await app.inject({ url: '/', headers: { 'x-request-id': 'from-client' } })).json().id, 'from-client')
  t.equal((await app.inject({ url: '/', headers: { 'x-request-id': 'bad id' } })).json().id, 'svc-2')

  const broken = await build({ generate: () => 'line\r\nbreak' })
  const response = await broken.app.inject('/')
  t.equal(response.statusCode, 200)
  t.match(response.json().id, UUID)
  const notString = await build({ generate: (() => 42) as unknown as () => string })
  t.match((await notString.app.inject('/')).json().id, UUID)
})

t.test('a repeated header (joined by Node) is not an id', async (t) => {
  const { app } = await build()
  const response = await app.inject({ url: '/', headers: { 'x-request-id': ['one', 'two'] } })
  t.match(response.json().id, UUID)
})

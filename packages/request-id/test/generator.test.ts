import Fastify from 'fastify'
import t from 'tap'
import { createRequestIdGenerator } from '../src/index.js'
import { logCapture, UUID } from './fixtures/log-capture.js'

t.test('the generator alone: accepted, replaced, generated', async (t) => {
  const genReqId = createRequestIdGenerator()
  t.equal(genReqId({ headers: { 'x-request-id': 'ok-1' } }), 'ok-1')
  t.match(genReqId({ headers: { 'x-request-id': 'a\r\nb' } }), UUID)
  t.match(genReqId({ headers: { 'x-request-id': 'x'.repeat(5000) } }), UUID)
  t.match(genReqId({ headers: {} }), UUID)
  const strict = createRequestIdGenerator({ trustIncoming: false })
  t.match(strict({ headers: { 'x-request-id': 'ok-1' } }), UUID)
})

t.test('passed to Fastify({ genReqId }): Fastify assigns the checked id and binds the logger itself', async (t) => {
  const capture = logCapture()
  const app = Fastify({
    genReqId: createRequestIdGenerator(),
    requestIdHeader: false,
    logger: { stream: capture.stream },
  })
  app.get('/', async (request) => {
    request.log.info('handled')
    return { id: request.id }
  })
  const good = await app.inject({ url: '/', headers: { 'x-request-id': 'upstream-42' } })
  t.equal(good.json().id, 'upstream-42')
  t.equal(capture.lines.find((line) => line.msg === 'handled')?.reqId, 'upstream-42')
  const crlf = await app.inject({ url: '/', headers: { 'x-request-id': 'a\r\nb' } })
  t.match(crlf.json().id, UUID)
  t.equal(good.headers['x-request-id'], undefined, 'without the plugin nothing is echoed')
})

t.test("Fastify's requestIdHeader, for contrast, takes the header unchecked", async (t) => {
  const app = Fastify({ requestIdHeader: 'x-request-id' })
  app.get('/', async (request) => ({ id: request.id }))
  const response = await app.inject({ url: '/', headers: { 'x-request-id': 'a\r\nb' } })
  t.equal(response.json().id, 'a\r\nb', 'this is why the plugin refuses requestIdHeader')
})

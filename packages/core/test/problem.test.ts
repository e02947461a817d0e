import Fastify from 'fastify'
import t from 'tap'
import {
  defineRefusal,
  problemRepliesPlugin,
  RefusalError,
  type RefusalEvent,
  refusalChannel,
  sendProblem,
} from '../src/index.js'

const LIMITED = defineRefusal('rate-limit', 'EXCEEDED', 429, 'Too Many Requests')

t.test('a refusal kind has a code and a type URI', async (t) => {
  t.equal(LIMITED.code, 'RAMPART_RATE_LIMIT_EXCEEDED')
  t.equal(LIMITED.type, 'https://rampart.dev/problems/rate-limit/exceeded')
})

t.test('sendProblem replies problem+json with headers and publishes one event', async (t) => {
  const app = Fastify()
  await app.register(problemRepliesPlugin)
  app.addHook('onRequest', async (_request, reply) =>
    sendProblem(reply, LIMITED, { detail: 'slow down', headers: { 'retry-after': 7 }, extensions: { limit: 5 } }),
  )
  app.get('/', async () => 'never')
  const events: RefusalEvent[] = []
  t.teardown(refusalChannel.subscribe((event) => events.push(event)))
  const response = await app.inject('/')
  t.equal(response.statusCode, 429)
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal(response.headers['retry-after'], '7')
  t.match(response.json(), {
    type: LIMITED.type,
    title: 'Too Many Requests',
    status: 429,
    code: 'RAMPART_RATE_LIMIT_EXCEEDED',
    detail: 'slow down',
    limit: 5,
    requestId: String,
  })
  t.equal(events.length, 1)
  t.equal(events[0]?.code, 'RAMPART_RATE_LIMIT_EXCEEDED')
  t.equal(events[0]?.source, 'rate-limit')
})

t.test("Fastify's own errors become problem+json; 5xx details are not leaked", async (t) => {
  const app = Fastify({ bodyLimit: 10 })
  await app.register(problemRepliesPlugin)
  app.post('/echo', async (request) => request.body)
  app.get('/boom', async () => {
    throw new Error('secret database password in message')
  })
  app.get('/refused', async () => {
    throw new RefusalError(LIMITED, { detail: 'from a stream' })
  })
  const notFound = await app.inject('/missing?x=1')
  t.equal(notFound.statusCode, 404)
  t.match(notFound.json(), { status: 404, code: 'RAMPART_CORE_NOT_FOUND', detail: 'No route for GET /missing' })
  const badJson = await app.inject({
    method: 'POST',
    url: '/echo',
    payload: '{',
    headers: { 'content-type': 'application/json' },
  })
  t.equal(badJson.statusCode, 400)
  t.match(badJson.json(), { status: 400, code: 'RAMPART_CORE_HTTP_400', errorCode: 'FST_ERR_CTP_INVALID_JSON_BODY' })
  t.equal(badJson.headers['content-type'], 'application/problem+json; charset=utf-8')
  const tooLarge = await app.inject({ method: 'POST', url: '/echo', payload: { a: 'x'.repeat(100) } })
  t.equal(tooLarge.statusCode, 413)
  const badType = await app.inject({
    method: 'POST',
    url: '/echo',
    payload: 'x',
    headers: { 'content-type': 'application/x-nope' },
  })
  t.equal(badType.statusCode, 415)
  const boom = await app.inject('/boom')
  t.equal(boom.statusCode, 500)
  t.notMatch(boom.body, /secret/)
  const refused = await app.inject('/refused')
  t.equal(refused.statusCode, 429)
  t.match(refused.json(), { code: 'RAMPART_RATE_LIMIT_EXCEEDED', detail: 'from a stream' })
})

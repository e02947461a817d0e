import { defineRefusal, problemRepliesPlugin, sendProblem } from '@rampart/core'
import t from 'tap'
import { build } from './fixtures/build.js'

const LIMITED = defineRefusal('test', 'LIMITED', 429, 'Too Many Requests')

t.test('the headers are on every refusal, whatever hook refused and in whatever order', async (t) => {
  const app = await build({}, (app) => {
    app.register(problemRepliesPlugin)
    // registered BEFORE the headers plugin: @fastify/helmet loses its headers here
    app.addHook('onRequest', async (request, reply) => {
      if (request.url === '/early') return sendProblem(reply, LIMITED, { headers: { 'retry-after': 3 } })
    })
  })
  app.post('/echo', { bodyLimit: 16 }, async (request) => request.body)
  app.get('/early', async () => 'never')
  app.get('/boom', async () => {
    throw new Error('boom')
  })
  const responses = {
    429: await app.inject('/early'),
    404: await app.inject('/missing'),
    400: await app.inject({
      method: 'POST',
      url: '/echo',
      payload: '{',
      headers: { 'content-type': 'application/json' },
    }),
    413: await app.inject({ method: 'POST', url: '/echo', payload: { a: 'x'.repeat(100) } }),
    415: await app.inject({
      method: 'POST',
      url: '/echo',
      payload: 'x',
      headers: { 'content-type': 'application/x-nope' },
    }),
    500: await app.inject('/boom'),
  }
  for (const [status, response] of Object.entries(responses)) {
    t.equal(response.statusCode, Number(status))
    t.equal(response.headers['x-content-type-options'], 'nosniff', `${status} has nosniff`)
    t.equal(response.headers['x-frame-options'], 'DENY', `${status} has X-Frame-Options`)
    t.equal(response.headers['cache-control'], 'no-store, max-age=0', `${status} has Cache-Control`)
  }
})

t.test("without core's problem replies, Fastify's default 404 also carries them", async (t) => {
  const app = await build()
  const response = await app.inject('/missing')
  t.equal(response.statusCode, 404)
  t.equal(response.headers['x-frame-options'], 'DENY')
})

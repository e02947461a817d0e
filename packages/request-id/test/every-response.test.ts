import { defineRefusal, problemRepliesPlugin, sendProblem } from '@rampart/core'
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import rampartRequestId from '../src/index.js'
import { UUID } from './fixtures/log-capture.js'

const TEAPOT = defineRefusal('test', 'TEAPOT', 403, 'Forbidden')

/** A plugin registered BEFORE request-id that refuses `?refuse` in onRequest. */
const earlyRefuser = fp(async (instance: FastifyInstance) => {
  instance.addHook('onRequest', async (request, reply) => {
    if ((request.query as Record<string, string>).refuse !== undefined) return sendProblem(reply, TEAPOT)
  })
})

async function build(problemReplies: boolean) {
  const app = Fastify({ bodyLimit: 1024 })
  if (problemReplies) await app.register(problemRepliesPlugin)
  await app.register(earlyRefuser)
  await app.register(rampartRequestId)
  app.get('/', async () => 'ok')
  app.post('/echo', async (request) => request.body)
  app.get('/boom', async () => {
    throw new Error('boom')
  })
  app.register(async (child) => {
    child.get('/child', async () => 'child')
  })
  return app
}

for (const problemReplies of [true, false]) {
  t.test(`the id is on every response (problem replies ${problemReplies ? 'on' : 'off'})`, async (t) => {
    const app = await build(problemReplies)
    const cases: [string, InjectOptions, number][] = [
      ['handler', { url: '/' }, 200],
      ['child context', { url: '/child' }, 200],
      ['earlier onRequest refusal', { url: '/?refuse' }, 403],
      ['404', { url: '/nowhere' }, 404],
      [
        '400 bad JSON',
        { method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' },
        400,
      ],
      [
        '413 body too large',
        { method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: 'x'.repeat(2048) },
        413,
      ],
      [
        '415 unsupported type',
        { method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-nope' }, payload: 'x' },
        415,
      ],
      ['500 thrown', { url: '/boom' }, 500],
    ]
    for (const [label, request, status] of cases) {
      const given = await app.inject(request)
      t.equal(given.statusCode, status, label)
      t.match(given.headers['x-request-id'], UUID, `${label}: generated id echoed`)
      const incoming = await app.inject({
        ...request,
        headers: { ...request.headers, 'x-request-id': `id-${status}` },
      })
      t.equal(incoming.headers['x-request-id'], `id-${status}`, `${label}: incoming id echoed`)
      if (problemReplies && status >= 400) {
        t.equal(incoming.json().requestId, `id-${status}`, `${label}: the problem body names the same id`)
      }
    }
  })
}

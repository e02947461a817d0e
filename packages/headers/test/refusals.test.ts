import { defineRefusal, problemFrameworkErrors, problemRepliesPlugin, RefusalError, sendProblem } from '@rampart/core'
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from 'fastify'
import fp from 'fastify-plugin'
import t, { type Test } from 'tap'
import rampartHeaders, { applySecurityHeaders } from '../src/index.js'
import { build } from './fixtures/build.js'

const LIMITED = defineRefusal('test', 'LIMITED', 429, 'Too Many Requests')
const FORBIDDEN = defineRefusal('test', 'FORBIDDEN', 403, 'Forbidden')

function hasHeaders(t: Test, response: LightMyRequestResponse, status: number, label: string): void {
  t.equal(response.statusCode, status, `${label}: status ${status}`)
  t.equal(response.headers['x-content-type-options'], 'nosniff', `${label}: X-Content-Type-Options`)
  t.equal(response.headers['x-frame-options'], 'DENY', `${label}: X-Frame-Options`)
  t.equal(response.headers['cache-control'], 'no-store, max-age=0', `${label}: Cache-Control`)
  t.equal(response.headers['content-security-policy'], "default-src 'self'", `${label}: CSP`)
  t.equal(response.headers.server, 'undisclosed', `${label}: Server`)
}

/** A refusing plugin registered BEFORE the headers plugin, the case @fastify/helmet loses. */
const earlyRefuser = fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/limited') return sendProblem(reply, LIMITED, { headers: { 'retry-after': 3 } })
  })
})

async function app(problemReplies: boolean): Promise<FastifyInstance> {
  const app = await build({ csp: "default-src 'self'" }, (app) => {
    if (problemReplies) app.register(problemRepliesPlugin)
    app.register(earlyRefuser)
    app.addHook('onRequest', (request, reply, done) => {
      if (request.url === '/callback-refusal') {
        reply.code(401).send({ error: 'no' })
        return
      }
      done()
    })
  })
  // and refusals from hooks registered AFTER it, at every stage
  app.addHook('preValidation', async (request, reply) => {
    if (request.url === '/pre-validation') return sendProblem(reply, FORBIDDEN)
  })
  app.addHook('preHandler', async (request) => {
    if (request.url === '/thrown-refusal') throw new RefusalError(FORBIDDEN)
  })
  app.post('/echo', { bodyLimit: 16 }, async (request) => request.body)
  for (const url of ['/limited', '/callback-refusal', '/pre-validation', '/thrown-refusal'])
    app.get(url, async () => 'never')
  app.get('/boom', async () => {
    throw new Error('boom')
  })
  app.get(
    '/typed/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } } },
    async () => 'x',
  )
  return app
}

for (const problemReplies of [true, false]) {
  t.test(
    `every refusal carries the headers (${problemReplies ? 'with' : 'without'} core's problem replies)`,
    async (t) => {
      const server = await app(problemReplies)
      const json = { 'content-type': 'application/json' }
      const cases: [string, InjectOptions | string, number][] = [
        ['429 from an onRequest hook registered before the plugin', '/limited', 429],
        ['401 from a callback onRequest hook registered before the plugin', '/callback-refusal', 401],
        ['403 from preValidation', '/pre-validation', 403],
        ['403 thrown from preHandler', '/thrown-refusal', 403],
        ['404 no route', '/missing', 404],
        ['404 wrong method', { method: 'PUT', url: '/' }, 404],
        ['400 bad JSON', { method: 'POST', url: '/echo', payload: '{', headers: json }, 400],
        ['400 empty JSON body', { method: 'POST', url: '/echo', payload: '', headers: json }, 400],
        ['400 schema validation', '/typed/abc', 400],
        ['413 body over bodyLimit', { method: 'POST', url: '/echo', payload: { a: 'x'.repeat(100) } }, 413],
        [
          '415 unsupported type',
          { method: 'POST', url: '/echo', payload: 'x', headers: { 'content-type': 'application/x-nope' } },
          415,
        ],
        ['500 handler throws', '/boom', 500],
      ]
      for (const [label, request, status] of cases) hasHeaders(t, await server.inject(request), status, label)
      const limited = await server.inject('/limited')
      t.equal(limited.headers['retry-after'], '3', "the refusal's own headers stay")
    },
  )
}

t.test('a refusal from an encapsulated child registered before the plugin', async (t) => {
  const app = await build({ csp: "default-src 'self'" }, (app) => {
    app.register(async (child) => {
      child.addHook('onRequest', async (_request, reply) => sendProblem(reply, LIMITED))
      child.get('/child', async () => 'never')
    })
  })
  hasHeaders(t, await app.inject('/child'), 429, 'child route')
})

t.test("Fastify's 400 for a malformed URL, through frameworkErrors and applySecurityHeaders", async (t) => {
  const app = Fastify({
    frameworkErrors: (error, _request, reply) => applySecurityHeaders(reply).code(400).send({ code: error.code }),
  })
  await app.register(rampartHeaders, { csp: "default-src 'self'" })
  app.get('/:param', async () => 'x')
  hasHeaders(t, await app.inject('/%E0%A4%A'), 400, 'bad URL')
  const bare = Fastify({ frameworkErrors: (_error, _request, reply) => applySecurityHeaders(reply).code(400).send() })
  bare.get('/:param', async () => 'x')
  const response = await bare.inject('/%E0%A4%A')
  t.equal(response.statusCode, 400)
  t.notOk('x-frame-options' in response.headers, 'without the plugin: nothing, no error')
})

t.test("core's hookless handlers carry the plugin's headers on a bad URL", async (t) => {
  const app = Fastify({ frameworkErrors: problemFrameworkErrors })
  await app.register(rampartHeaders, { csp: "default-src 'self'" })
  app.get('/:param', async () => 'x')
  const response = await app.inject('/%E0%A4%A')
  hasHeaders(t, response, 400, 'bad URL through problemFrameworkErrors')
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')

  const withNonce = Fastify({ frameworkErrors: problemFrameworkErrors })
  await withNonce.register(rampartHeaders, {
    csp: { 'default-src': ["'self'"], 'script-src': ["'self'"] },
    cspNonce: true,
  })
  withNonce.get('/:param', async () => 'x')
  const first = await withNonce.inject('/%E0%A4%A')
  const second = await withNonce.inject('/%E0%A4%A')
  t.match(first.headers['content-security-policy'], /'nonce-[A-Za-z0-9+/=_-]{16,}'/, 'the nonce is filled in')
  t.not(first.headers['content-security-policy'], second.headers['content-security-policy'], 'fresh per reply')
})

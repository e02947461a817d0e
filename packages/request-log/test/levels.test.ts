import Fastify from 'fastify'
import t from 'tap'
import requestLog from '../src/index.js'
import { build } from './fixtures/build.js'

const routes = (app: import('fastify').FastifyInstance) => {
  app.get('/status/:code', async (request, reply) => {
    const code = Number((request.params as { code: string }).code)
    return reply.code(code).send(code === 204 || code === 304 ? undefined : 'x')
  })
  app.get('/throw', async () => {
    throw new Error('boom')
  })
}

t.test('level by status: info below 400, warn for 4xx, error for 5xx', async (t) => {
  const { app, requestLines } = await build({}, routes)
  for (const code of [200, 204, 302, 400, 401, 404, 429, 500, 503]) await app.inject(`/status/${code}`)
  await app.inject('/throw')
  await app.inject('/no-route')
  t.same(
    requestLines().map((line) => [line.statusCode, line.level]),
    [
      [200, 30],
      [204, 30],
      [302, 30],
      [400, 40],
      [401, 40],
      [404, 40],
      [429, 40],
      [500, 50],
      [503, 50],
      [500, 50],
      [404, 40],
    ],
  )
})

t.test('levels are configurable, and silent writes no line', async (t) => {
  const { app, requestLines } = await build(
    { levels: { success: 'silent', clientError: 'info', serverError: 'fatal' } },
    routes,
  )
  for (const code of [200, 302, 404, 500]) await app.inject(`/status/${code}`)
  t.same(
    requestLines().map((line) => [line.statusCode, line.level]),
    [
      [404, 30],
      [500, 60],
    ],
  )
})

t.test('without a logger the plugin adds no hook; with one, its onResponse hook is there', async (t) => {
  for (const [logger, expected] of [
    [false, false],
    [{ level: 'warn' }, true],
  ] as const) {
    const app = Fastify({ logger })
    await app.register(requestLog)
    app.get('/', async () => 'ok')
    await app.ready()
    t.equal(
      app.printRoutes({ includeHooks: true }).includes('logRequest'),
      expected,
      `logger ${JSON.stringify(logger)}`,
    )
    t.equal((await app.inject('/')).statusCode, 200)
    await app.close()
  }
})

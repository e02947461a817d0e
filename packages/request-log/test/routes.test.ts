import Fastify from 'fastify'
import t from 'tap'
import rampartRequestLog from '../src/index.js'
import { build } from './fixtures/build.js'

t.test('route patterns, not raw paths; a fixed label when no route matched', async (t) => {
  const { app, requestLines } = await build({}, (app) => {
    app.get('/api/users/:id/posts/:post', async () => 'ok')
    app.get('/files/*', async () => 'ok')
    app.register(
      async (child) => {
        child.get('/items/:id', async () => 'ok')
      },
      { prefix: '/v2' },
    )
  })
  await app.inject('/api/users/1/posts/2')
  await app.inject('/api/users/999/posts/abc')
  await app.inject('/files/a/b/c.txt')
  await app.inject('/v2/items/5')
  await app.inject('/nowhere/123?token=abc')
  const lines = requestLines()
  t.same(
    lines.map((line) => line.route),
    ['/api/users/:id/posts/:post', '/api/users/:id/posts/:post', '/files/*', '/v2/items/:id', '<unmatched>'],
  )
  t.equal(lines[4]?.statusCode, 404)
  t.equal(lines[4]?.url, '/nowhere/123?token=[REDACTED]', 'the 404 line still redacts')
})

t.test('the unmatched label is configurable', async (t) => {
  const { app, requestLines } = await build({ unmatchedRoute: 'NOT_FOUND' })
  await app.inject('/missing')
  t.equal(requestLines()[0]?.route, 'NOT_FOUND')
})

t.test('config.rampart.requestLog: false silences a route', async (t) => {
  const { app, requestLines } = await build({}, (app) => {
    app.get('/health', { config: { rampart: { requestLog: false } } }, async () => 'ok')
    app.get('/api', async () => 'ok')
  })
  await app.inject('/health')
  await app.inject('/api')
  t.same(
    requestLines().map((line) => line.route),
    ['/api'],
  )
})

t.test('routes registered before the plugin, and in child contexts registered after it, are logged', async (t) => {
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } } })
  const lines: Record<string, unknown>[] = []
  app.get('/early', async () => 'ok')
  await app.register(rampartRequestLog)
  app.register(async (child) => {
    child.get('/late', async () => 'ok')
  })
  await app.inject('/early')
  await app.inject('/late')
  const ours = lines.filter((line) => line.route !== undefined).map((line) => line.route)
  t.same(ours, ['/early', '/late'])
  t.equal(
    lines.filter((line) => line.msg === 'request completed').length,
    4,
    'with disableRequestLogging off, Fastify writes its own line too: set it to true',
  )
})

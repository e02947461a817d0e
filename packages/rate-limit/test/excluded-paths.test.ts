import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'

async function build() {
  const app = Fastify()
  await app.register(rampartRateLimit, { perMinute: 1, burst: 0, now: new FakeClock().now })
  app.get('/health', async () => ({ status: 'healthy' }))
  app.get('/metrics', async () => 'metrics')
  app.get('/docs/*', async () => 'docs')
  app.get('/openapi.json', async () => ({}))
  app.get('/healthX', async () => 'not health')
  app.get('/api/:name', async () => 'api')
  app.get('/api/test', async () => 'test')
  return app
}

// The seed's test_excluded_paths: /health is never limited.
t.test('excluded paths are never limited and carry no rate-limit headers', async (t) => {
  const app = await build()
  for (const url of ['/health', '//health', '/health/', '/./health', '/metrics', '/docs/index.html', '/openapi.json']) {
    for (let i = 0; i < 10; i++) {
      const response = await app.inject(url)
      if (response.statusCode === 429) t.fail(`${url} was limited`)
    }
    t.equal((await app.inject(url)).headers.ratelimit, undefined, `${url} is not counted`)
  }
  t.equal((await app.inject('/api/test')).statusCode, 200, 'the quota of other routes is untouched')
})

t.test('look-alike and traversal paths do not dodge the limit of another route', async (t) => {
  const app = await build()
  t.equal((await app.inject('/healthX')).statusCode, 200)
  t.equal((await app.inject('/healthX')).statusCode, 429, '/healthX is not /health (segment-aware)')

  const other = await build()
  // `/api/..%2fhealth` normalises to /health, but Fastify serves it with /api/:name: it is limited.
  t.equal((await other.inject('/api/..%2fhealth')).statusCode, 200)
  t.equal((await other.inject('/api/..%2fhealth')).statusCode, 429)
  t.equal((await other.inject('/api/test')).statusCode, 429, 'same client, same global limit')

  const third = await build()
  // A /docs/* route reached by a path that normalises outside /docs is limited too.
  t.equal((await third.inject('/docs/../api/test')).statusCode, 200)
  t.equal((await third.inject('/docs/../api/test')).statusCode, 429)
})

t.test('a 404 is exempt by its normalised path alone; other 404s are counted', async (t) => {
  const app = await build()
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/health/nothing-here')).statusCode, 404)
  t.equal((await app.inject('/nothing-here')).statusCode, 404)
  t.equal((await app.inject('/nothing-here')).statusCode, 429, '404 floods elsewhere are limited')
})

t.test('excludedPaths replaces the default list', async (t) => {
  const app = Fastify()
  await app.register(rampartRateLimit, { perMinute: 1, burst: 0, excludedPaths: ['/status'] })
  app.get('/status', async () => 'ok')
  app.get('/health', async () => 'ok')
  t.equal((await app.inject('/status')).statusCode, 200)
  t.equal((await app.inject('/status')).statusCode, 200)
  t.equal((await app.inject('/health')).statusCode, 200)
  t.equal((await app.inject('/health')).statusCode, 429)
})

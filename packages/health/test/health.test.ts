import { addHealthCheck } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartHealth, { changedChannel, type HealthOptions } from '../src/index.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'

async function build(options: HealthOptions = {}) {
  const app = Fastify()
  await app.register(rampartHealth, { cacheMs: 0, ...options })
  t.teardown(() => app.close())
  return app
}

t.test('GET /health is 200 {"status":"ok"} and runs no check', async (t) => {
  let ran = 0
  const app = await build({
    checks: {
      slow: () => {
        ran += 1
        return { status: 'down' }
      },
    },
  })
  const response = await app.inject('/health')
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'ok' })
  t.equal(ran, 0)
})

t.test('/health/detailed: event loop, memory, and real Redis and PostgreSQL, with timings', async (t) => {
  const app = await build({ redis: REDIS_URL, postgres: { connectionString: POSTGRES_URL } })
  const response = await app.inject('/health/detailed')
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.equal(body.status, 'healthy')
  t.type(body.uptime_seconds, 'number')
  t.ok(Date.parse(body.timestamp))
  for (const name of ['event_loop', 'memory', 'redis', 'postgres']) {
    t.equal(body.checks[name].status, 'healthy', name)
    t.type(body.checks[name].duration_ms, 'number')
  }
  t.type(body.checks.event_loop.detail.delay_p99_ms, 'number')
  t.ok(body.checks.memory.detail.heap_limit_bytes > 0)
  t.equal(response.headers['cache-control'], 'no-store')
})

t.test('a dependency that is unreachable is down, within the timeout, and the route says 503', async (t) => {
  const app = await build({
    redis: { url: 'redis://127.0.0.1:1', commandTimeout: 100 },
    postgres: { connectionString: 'postgresql://postgres@127.0.0.1:1/test' },
    timeout: 300,
  })
  const started = Date.now()
  const response = await app.inject('/health/detailed')
  t.ok(Date.now() - started < 3000, 'bounded by the timeouts')
  t.equal(response.statusCode, 503)
  const body = response.json()
  t.equal(body.status, 'down')
  t.equal(body.checks.redis.status, 'down')
  t.equal(body.checks.postgres.status, 'down')
  t.type(body.checks.redis.error, 'string')
  t.equal(body.checks.memory.status, 'healthy')
})

t.test('checks registered by plugins through core, a throwing one, a hanging one, a degraded one', async (t) => {
  const app = Fastify()
  await app.register(async (plugin) => {
    addHealthCheck(plugin, 'rate-limit:redis', () => ({ status: 'degraded', detail: { breaker: 'open' } }))
  })
  await app.register(rampartHealth, {
    cacheMs: 0,
    timeout: 100,
    checks: {
      throws: () => {
        throw new Error('boom')
      },
      hangs: () => new Promise(() => {}),
    },
  })
  t.teardown(() => app.close())
  const body = (await app.inject('/health/detailed')).json()
  t.same(body.checks['rate-limit:redis'], {
    status: 'degraded',
    duration_ms: body.checks['rate-limit:redis'].duration_ms,
    detail: { breaker: 'open' },
  })
  t.match(body.checks.throws, { status: 'down', error: 'boom' })
  t.match(body.checks.hangs, { status: 'down', error: 'timeout' })
  t.equal(body.status, 'down')
})

t.test('degraded without anything down is 200 with status degraded', async (t) => {
  const app = await build({ checks: { cache: () => ({ status: 'degraded' }) } })
  const response = await app.inject('/health/detailed')
  t.equal(response.statusCode, 200)
  t.equal(response.json().status, 'degraded')
})

t.test('results are reused for cacheMs, and a change of status is published', async (t) => {
  let runs = 0
  let status: 'healthy' | 'down' = 'healthy'
  const app = Fastify()
  await app.register(rampartHealth, {
    cacheMs: 60_000,
    checks: {
      flaky: () => {
        runs += 1
        return { status }
      },
    },
  })
  t.teardown(() => app.close())
  const events: string[] = []
  t.teardown(changedChannel.subscribe((message) => events.push(message.to)))
  await Promise.all([app.inject('/health/detailed'), app.inject('/health/detailed'), app.inject('/health/detailed')])
  t.equal(runs, 1, 'three requests, one run')
  status = 'down'
  t.equal((await app.inject('/health/detailed')).json().status, 'healthy', 'still the cached report')
  t.same(events, ['healthy'])
})

t.test('the detail is protected like /metrics; liveness never is', async (t) => {
  const token = 'health-detail-token-0123456789'
  const app = await build({ protection: { bearerToken: token } })
  t.equal((await app.inject('/health')).statusCode, 200)
  const missing = await app.inject('/health/detailed')
  t.equal(missing.statusCode, 401)
  t.equal(missing.json().code, 'RAMPART_HEALTH_UNAUTHORIZED')
  t.match(missing.headers['www-authenticate'], /^Bearer/)
  const ok = await app.inject({ url: '/health/detailed', headers: { authorization: `Bearer ${token}` } })
  t.equal(ok.statusCode, 200)
})

t.test('paths can move or be left out', async (t) => {
  const app = await build({ livenessPath: '/livez', detailedPath: false })
  t.equal((await app.inject('/livez')).statusCode, 200)
  t.equal((await app.inject('/health')).statusCode, 404)
  t.equal((await app.inject('/health/detailed')).statusCode, 404)
})

t.test('bad options fail register naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ livenessPath: 'health' }, /livenessPath/],
    [{ detailedPath: '/health' }, /detailedPath/],
    [{ timeout: 0 }, /timeout/],
    [{ checks: { 'Bad Name': () => ({ status: 'healthy' }) } }, /checks\.Bad Name/],
    [{ checks: { ok: 'not a function' } }, /checks\.ok/],
    [{ redis: { url: 'http://x' } }, /redis\.url/],
    [{ postgres: { connectionString: 'mysql://x' } }, /postgres\.connectionString/],
    [{ protection: {} }, /protection/],
    [{ unknown: 1 }, /unknown/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    app.register(rampartHealth, options as HealthOptions)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_HEALTH_INVALID_OPTION', message }, String(message))
  }
})

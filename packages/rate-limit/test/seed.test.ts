import { problemRepliesPlugin } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'

// The seed's test_simple_rate_limit: requests_per_minute=5, burst_size=0 -> 5 pass, the 6th is 429
// with Retry-After. Fixed from the seed: the body is problem+json, Retry-After is the real wait
// (not a constant 60), and X-RateLimit-Remaining counts down from the limit actually enforced.
t.test('5 requests pass, the 6th is 429 with Retry-After', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  await app.register(problemRepliesPlugin)
  await app.register(rampartRateLimit, { perMinute: 5, burst: 0, now: clock.now })
  app.get('/api/test', async () => ({ message: 'API is working' }))

  for (let i = 0; i < 5; i++) {
    const response = await app.inject('/api/test')
    t.equal(response.statusCode, 200, `request ${i + 1} passes`)
    t.equal(response.headers['x-ratelimit-remaining'], String(4 - i))
    t.equal(response.headers['x-ratelimit-limit'], '5')
  }
  const refused = await app.inject('/api/test')
  t.equal(refused.statusCode, 429)
  t.match(refused.headers['content-type'], /^application\/problem\+json/)
  const body = refused.json()
  t.equal(body.code, 'RAMPART_RATE_LIMIT_EXCEEDED')
  t.equal(body.type, 'https://rampart.dev/problems/rate-limit/exceeded')
  t.equal(body.status, 429)
  t.equal(body.policy, 'minute')
  t.same(body['violated-policies'], ['minute'])
  t.match(body.detail, /Rate limit "minute" exceeded/)
  const retryAfter = Number(refused.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 120, `Retry-After is a real wait (${retryAfter} s)`)
  t.equal(body.retryAfter, retryAfter)
  t.equal(refused.headers['x-ratelimit-remaining'], '0')
})

t.test('the seed defaults: 60 per minute plus a burst of 10, and 1000 per hour', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  await app.register(rampartRateLimit, { now: clock.now })
  app.get('/', async () => 'ok')
  const response = await app.inject('/')
  t.equal(response.headers['ratelimit-policy'], '"minute";q=70;w=60, "hour";q=1000;w=3600')
  let passed = 1
  while ((await app.inject('/')).statusCode === 200) passed++
  t.equal(passed, 70, 'the minute window admits perMinute + burst')
})

t.test('through a real listener: the socket peer is the client, and the 429 carries Retry-After', async (t) => {
  const app = Fastify()
  await app.register(rampartRateLimit, { perMinute: 1, burst: 0 })
  app.get('/api/test', async () => ({ ok: true }))
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const first = await fetch(`${address}/api/test`, { headers: { 'x-forwarded-for': '198.51.100.1' } })
  t.equal(first.status, 200)
  t.equal(first.headers.get('ratelimit-policy'), '"minute";q=1;w=60, "hour";q=1000;w=3600')
  const second = await fetch(`${address}/api/test`, { headers: { 'x-forwarded-for': '198.51.100.2' } })
  t.equal(second.status, 429, 'a forged X-Forwarded-For does not make a new client')
  t.ok(Number(second.headers.get('retry-after')) >= 1)
  t.equal(((await second.json()) as { code: string }).code, 'RAMPART_RATE_LIMIT_EXCEEDED')
})

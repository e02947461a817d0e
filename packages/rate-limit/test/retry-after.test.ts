import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit, { ALGORITHM_NAMES } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { parseList } from './fixtures/structured-fields.js'

// Retry-After is the number of seconds until the refusing policy would admit a request: one second
// earlier the request is still refused, at that second it is admitted. The seed sent a constant 60
// for the minute window whatever the real wait.

for (const algorithm of ALGORITHM_NAMES) {
  t.test(`${algorithm}: a request is refused until exactly Retry-After seconds later`, async (t) => {
    const clock = new FakeClock()
    const app = Fastify()
    await app.register(rampartRateLimit, { policies: { minute: { limit: 5, window: 60, algorithm } }, now: clock.now })
    app.get('/', async () => 'ok')
    clock.advance(7_250)
    let refused = await app.inject('/')
    for (let sent = 1; refused.statusCode === 200 && sent < 50; sent++) {
      clock.advance(1_500)
      refused = await app.inject('/')
    }
    t.equal(refused.statusCode, 429)
    const retryAfter = Number(refused.headers['retry-after'])
    t.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${retryAfter}`)
    const minute = parseList(refused.headers.ratelimit as string)[0]
    t.ok(retryAfter >= (minute?.params.get('t') as number), "never earlier than the policy's t")
    clock.advance(retryAfter * 1000 - 1000)
    t.equal((await app.inject('/')).statusCode, 429, 'one second early: still refused')
    clock.advance(1000)
    t.equal((await app.inject('/')).statusCode, 200, 'at Retry-After: admitted')
  })
}

t.test('an exhausted hour says how long until the hour admits again, not 60', async (t) => {
  const clock = new FakeClock()
  const app = Fastify()
  await app.register(rampartRateLimit, {
    perMinute: 100,
    perHour: 3,
    burst: 0,
    algorithm: 'sliding-log',
    now: clock.now,
  })
  app.get('/', async () => 'ok')
  for (let i = 0; i < 3; i++) {
    await app.inject('/')
    clock.advance(10 * 60_000)
  }
  const refused = await app.inject('/')
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().policy, 'hour')
  t.equal(refused.headers['retry-after'], String(30 * 60), 'the first request leaves the hour in 30 minutes')
})

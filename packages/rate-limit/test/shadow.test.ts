import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit, { type ExceededEvent, exceededChannel, type RateLimitOptions } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { parseList } from './fixtures/structured-fields.js'

async function build(options: RateLimitOptions) {
  const app = Fastify()
  await app.register(rampartRateLimit, { now: new FakeClock().now, ...options })
  app.get('/', async () => 'ok')
  return app
}

function listen(t: { teardown: (fn: () => void) => void }): ExceededEvent[] {
  const events: ExceededEvent[] = []
  t.teardown(exceededChannel.subscribe((event) => events.push(event)))
  return events
}

t.test('a shadow policy counts, reports and emits, but never refuses', async (t) => {
  const events = listen(t)
  const app = await build({
    policies: {
      trial: { limit: 2, window: 60, shadow: true, algorithm: 'fixed-window' },
      minute: { limit: 100, window: 60 },
    },
  })
  const statuses: number[] = []
  let last: Awaited<ReturnType<typeof app.inject>> | undefined
  for (let i = 0; i < 5; i++) {
    last = await app.inject('/')
    statuses.push(last.statusCode)
  }
  t.same(statuses, [200, 200, 200, 200, 200], 'never refused')
  t.equal(events.length, 3, 'requests 3 to 5 exceeded the shadow policy')
  t.same(
    events.map((event) => [event.policy, event.shadow, event.limit, event.window]),
    Array(3).fill(['trial', true, 2, 60]),
  )
  const items = parseList(last?.headers.ratelimit as string)
  t.same(
    items.map((item) => [item.value, item.params.get('r')]),
    [
      ['trial', 0],
      ['minute', 95],
    ],
  )
  t.equal(last?.headers['x-ratelimit-limit'], '100', 'X-RateLimit-* describe the enforced policy')
  t.equal(last?.headers['retry-after'], undefined)
})

t.test('shadow: true puts a whole instance in shadow mode', async (t) => {
  const events = listen(t)
  const app = await build({ perMinute: 1, burst: 0, shadow: true })
  for (let i = 0; i < 4; i++) t.equal((await app.inject('/')).statusCode, 200)
  t.equal(events.length, 3)
  t.ok(events.every((event) => event.shadow && event.policy === 'minute' && event.retryAfter > 0))
  const response = await app.inject('/')
  t.equal(response.headers['x-ratelimit-remaining'], '0', 'headers describe the shadow policies')
})

t.test('a shadow refusal does not stop the enforced policies from counting', async (t) => {
  const app = await build({
    policies: { trial: { limit: 1, window: 60, shadow: true }, minute: { limit: 3, window: 60 } },
  })
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/')).statusCode, 200)
  const refused = await app.inject('/')
  t.equal(refused.statusCode, 429)
  t.same(refused.json()['violated-policies'], ['minute'], 'only enforced policies are violated')
})

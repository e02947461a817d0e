import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit, { type NearLimitEvent, nearLimitChannel, type RateLimitOptions } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'

async function build(options: RateLimitOptions, clock: FakeClock) {
  const app = Fastify()
  await app.register(rampartRateLimit, {
    policies: { minute: { limit: 10, window: 60, algorithm: 'fixed-window' } },
    now: clock.now,
    ...options,
  })
  app.get('/', async () => 'ok')
  return app
}

t.test('near-limit fires once per window when a client crosses 80% of a policy', async (t) => {
  const events: { event: NearLimitEvent; request: number }[] = []
  let sent = 0
  t.teardown(nearLimitChannel.subscribe((event) => events.push({ event, request: sent })))
  const clock = new FakeClock()
  const app = await build({}, clock)
  for (sent = 1; sent <= 12; sent++) await app.inject({ url: '/', remoteAddress: '203.0.113.1' })
  t.same(
    events.map(({ request }) => request),
    [8],
    'on the 8th request of 10, and not again in the same window',
  )
  const { event } = events[0] as { event: NearLimitEvent }
  t.match(event, {
    limiter: 'default',
    policy: 'minute',
    limit: 10,
    window: 60,
    remaining: 2,
    threshold: 0.8,
    shadow: false,
  })
  t.equal(event.client, 'ip:203.0.113.1', 'the memory store keeps short keys as they are')
  t.equal(event.request.url, '/')

  clock.advance(60_000)
  events.length = 0
  for (sent = 1; sent <= 8; sent++) await app.inject({ url: '/', remoteAddress: '203.0.113.1' })
  t.same(
    events.map(({ request }) => request),
    [8],
    'again in the next window',
  )
  for (sent = 1; sent <= 8; sent++) await app.inject({ url: '/', remoteAddress: '203.0.113.2' })
  t.equal(events.length, 2, 'per client')
})

t.test('the fraction is configurable, and false turns the event off', async (t) => {
  const requests: number[] = []
  let sent = 0
  t.teardown(nearLimitChannel.subscribe(() => requests.push(sent)))
  const half = await build({ nearLimit: 0.5 }, new FakeClock())
  for (sent = 1; sent <= 6; sent++) await half.inject('/')
  t.same(requests, [5])
  requests.length = 0
  const off = await build({ nearLimit: false }, new FakeClock())
  for (sent = 1; sent <= 11; sent++) await off.inject('/')
  t.same(requests, [])
})

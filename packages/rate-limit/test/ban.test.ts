import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import rampartRateLimit, { type BannedEvent, bannedChannel, type RateLimitOptions } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { adminClient, deleteKeys, keysUnder, REDIS_URL, randomPrefix } from './fixtures/redis.js'

// The optional ban: a client refused `after` times within `within` seconds is refused for
// `duration` seconds, before any policy is looked at, so its requests during the ban touch no
// counter. The same on the memory store and, in the one script call, on Redis.

const PREFIX = randomPrefix('ban')
const admin = adminClient(t)
t.teardown(() => deleteKeys(admin, PREFIX))

const banned: BannedEvent[] = []
t.teardown(bannedChannel.subscribe((event) => banned.push(event)))

async function app(options: RateLimitOptions): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartRateLimit, options)
  app.get('/', async () => 'ok')
  return app
}

const codes = async (app: FastifyInstance, count: number) => {
  const statuses: string[] = []
  for (let i = 0; i < count; i++) {
    const response = await app.inject('/')
    statuses.push(response.statusCode === 200 ? 'ok' : response.json().code.replace('RAMPART_RATE_LIMIT_', ''))
  }
  return statuses
}

t.test('memory store: three refusals in a minute ban the client for 10 s, without touching the counters', async (t) => {
  const clock = new FakeClock()
  const limited = await app({
    now: clock.now,
    policies: { second: { limit: 2, window: 1, algorithm: 'fixed-window' } },
    ban: { after: 3, within: 60, duration: 10 },
  })
  banned.length = 0
  t.same(await codes(limited, 5), ['ok', 'ok', 'EXCEEDED', 'EXCEEDED', 'EXCEEDED'])
  t.equal(banned.length, 1, 'one banned event')
  t.match(banned[0], { limiter: 'default', duration: 10, scope: 'rl:global' })
  clock.advance(2000)
  const refused = await limited.inject('/')
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().code, 'RAMPART_RATE_LIMIT_BANNED')
  t.equal(refused.headers['retry-after'], '8', 'the rest of the ban')
  t.equal(refused.headers['x-ratelimit-remaining'], '2', 'the policy is untouched: the window is a fresh one')
  for (let i = 0; i < 20; i++) await limited.inject('/')
  clock.advance(8000)
  t.same(await codes(limited, 3), ['ok', 'ok', 'EXCEEDED'], 'after the ban: the normal quota, not charged by the ban')
})

t.test('off by default: refusals never become a ban', async (t) => {
  const clock = new FakeClock()
  const limited = await app({ now: clock.now, policies: { second: { limit: 1, window: 1 } } })
  banned.length = 0
  t.notOk((await codes(limited, 50)).includes('BANNED'))
  t.equal(banned.length, 0)
})

t.test('strikes outside the window do not add up', async (t) => {
  const clock = new FakeClock()
  const limited = await app({
    now: clock.now,
    policies: { second: { limit: 1, window: 1, algorithm: 'fixed-window' } },
    ban: { after: 3, within: 5, duration: 10 },
  })
  for (let i = 0; i < 4; i++) {
    t.same(await codes(limited, 3), ['ok', 'EXCEEDED', 'EXCEEDED'], `round ${i}: two strikes`)
    clock.advance(6000)
  }
})

t.test('Redis store: the ban lives in Redis, shared by the instances, decided in the same script call', async (t) => {
  const options: RateLimitOptions = {
    redis: { url: REDIS_URL, timeout: 2000 },
    prefix: `${PREFIX}redis:`,
    policies: { minute: { limit: 2, window: 60, algorithm: 'gcra' } },
    ban: { after: 2, within: 60, duration: 30 },
  }
  const first = await app(options)
  const second = await app(options)
  banned.length = 0
  t.same(await codes(first, 4), ['ok', 'ok', 'EXCEEDED', 'EXCEEDED'])
  t.equal(banned.length, 1)
  const refused = await second.inject('/')
  t.equal(refused.json().code, 'RAMPART_RATE_LIMIT_BANNED', 'the other instance sees the ban')
  const retryAfter = Number(refused.headers['retry-after'])
  t.ok(retryAfter > 25 && retryAfter <= 30, `Retry-After ${retryAfter}`)
  const keys = await keysUnder(admin, `${PREFIX}redis:`)
  t.equal(keys.length, 2, 'the policy key and the ban key')
  // The prefix itself holds "ban": look past it.
  const isBanKey = (key: string) => key.startsWith(`${PREFIX}redis:global:ban:`)
  const ban = keys.find(isBanKey) as string
  t.match(ban, new RegExp(`^${PREFIX}redis:global:ban:\\{[A-Za-z0-9_-]{22}\\}$`))
  const ttl = await admin.pttl(ban)
  t.ok(ttl > 25_000 && ttl <= 60_000, `the ban key expires (${ttl} ms)`)
  const policyKey = keys.find((key) => !isBanKey(key)) as string
  const state = await admin.getBuffer(policyKey)
  t.equal(state?.length, 48, "the set's state: the instant, then the policy's block of five doubles")
  for (let i = 0; i < 10; i++) await second.inject('/')
  t.same(await admin.getBuffer(policyKey), state, 'requests during the ban leave the counter as it was')
})

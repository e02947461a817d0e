import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import rampartRateLimit, { type RateLimitOptions } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { adminClient, deleteKeys, REDIS_URL, randomPrefix } from './fixtures/redis.js'

// Seed 000's RedisRateLimitMiddleware: authenticated users get `user_limit_multiplier` (2) times
// the limit, and their tier multiplies again (free 1, basic 2, pro 5, enterprise 10).

async function appWith(options: RateLimitOptions): Promise<FastifyInstance> {
  const app = Fastify()
  app.decorateRequest('identity', null)
  // Stands in for @rampart/auth: the identity is known before the limiter's preHandler.
  app.addHook('preValidation', async (request) => {
    const user = request.headers['x-user']
    const tier = request.headers['x-tier']
    if (typeof user === 'string') {
      request.identity = { id: user, kind: 'user', scopes: [], ...(typeof tier === 'string' ? { tier } : {}) }
    }
  })
  await app.register(rampartRateLimit, { hook: 'preHandler', ...options })
  app.get('/api/items/:id', async () => 'ok')
  t.teardown(() => app.close())
  return app
}

async function admitted(app: FastifyInstance, headers: Record<string, string>, attempts: number): Promise<number> {
  let count = 0
  for (let i = 0; i < attempts; i++) {
    const response = await app.inject({ url: `/api/items/${i}`, headers })
    if (response.statusCode === 200) count++
    else if (response.statusCode !== 429) throw new Error(`unexpected ${response.statusCode}`)
  }
  return count
}

const policies = { minute: { limit: 3, window: 60 } }

for (const store of ['memory', 'redis'] as const) {
  t.test(`${store}: anonymous 1×, authenticated 2×, and each tier multiplies again`, async (t) => {
    const prefix = randomPrefix('multipliers')
    if (store === 'redis') {
      const admin = adminClient(t)
      t.teardown(() => deleteKeys(admin, prefix))
    }
    const clock = new FakeClock()
    const app = await appWith({
      policies,
      multipliers: true,
      ...(store === 'redis' ? { redis: REDIS_URL, prefix } : { now: clock.now }),
    })
    t.equal(await admitted(app, {}, 10), 3, 'anonymous: the limit as written')
    t.equal(await admitted(app, { 'x-user': 'ann' }, 10), 6, 'authenticated, no tier: × 2')
    t.equal(await admitted(app, { 'x-user': 'fay', 'x-tier': 'free' }, 10), 6, 'free: × 2 × 1')
    t.equal(await admitted(app, { 'x-user': 'bob', 'x-tier': 'basic' }, 20), 12, 'basic: × 2 × 2')
    t.equal(await admitted(app, { 'x-user': 'pia', 'x-tier': 'pro' }, 40), 30, 'pro: × 2 × 5')
    t.equal(await admitted(app, { 'x-user': 'eve', 'x-tier': 'enterprise' }, 70), 60, 'enterprise: × 2 × 10')
    t.equal(await admitted(app, { 'x-user': 'uma', 'x-tier': 'unknown' }, 10), 6, 'an unknown tier counts as 1')
  })
}

t.test('the headers state the scaled capacity', async (t) => {
  const app = await appWith({
    policies,
    multipliers: { authenticated: 1, tiers: { pro: 5 } },
    now: new FakeClock().now,
  })
  const response = await app.inject({ url: '/api/items/1', headers: { 'x-user': 'pia', 'x-tier': 'pro' } })
  t.equal(response.headers['x-ratelimit-limit'], '15')
  t.equal(response.headers['ratelimit-policy'], '"minute";q=15;w=60')
  const anonymous = await app.inject({ url: '/api/items/1' })
  t.equal(anonymous.headers['x-ratelimit-limit'], '3')
})

t.test('without multipliers an identity gets the limit as written', async (t) => {
  const app = await appWith({ policies, now: new FakeClock().now })
  t.equal(await admitted(app, { 'x-user': 'eve', 'x-tier': 'enterprise' }, 10), 3)
})

t.test('bad multipliers fail register naming the option', async (t) => {
  for (const [multipliers, option] of [
    [{ authenticated: 0 }, 'multipliers.authenticated'],
    [{ tiers: { pro: -1 } }, 'multipliers.tiers.pro'],
    [{ tiers: { 'bad tier': 2 } }, 'multipliers.tiers.bad tier'],
    [{ extra: 1 }, 'multipliers'],
    ['yes', 'multipliers'],
  ] as const) {
    const app = Fastify()
    app.register(rampartRateLimit, { multipliers: multipliers as never })
    await t.rejects(
      async () => app.ready(),
      { code: 'RAMPART_RATE_LIMIT_INVALID_OPTION', message: new RegExp(option.replace('.', '\\.')) },
      option,
    )
  }
})

import { OptionValidator } from '@rampart/core'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import { Pool } from 'undici'
import rampartRateLimit, { compilePolicy, type RateLimitOptions, type RedisOption, RedisStore } from '../src/index.js'
import { adminClient, deleteKeys, REDIS_URL, randomPrefix } from './fixtures/redis.js'

// Races and sharing against the real Redis: one atomic script per request means concurrent
// requests cannot both read "one left"; instances share counts; and the script's clock is the
// Redis server's, so instances whose clocks disagree still enforce one limit.

const PREFIX = randomPrefix('races')
const admin = adminClient(t)
t.teardown(() => deleteKeys(admin, PREFIX))

async function listening(options: RateLimitOptions): Promise<{ app: FastifyInstance; pool: Pool }> {
  const app = Fastify()
  await app.register(rampartRateLimit, options)
  app.get('/', async () => 'ok')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const pool = new Pool(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`, { connections: 64 })
  t.teardown(async () => {
    await pool.close()
    await app.close()
  })
  return { app, pool }
}

async function statuses(pool: Pool, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const response = await pool.request({ path: '/', method: 'GET' })
      await response.body.dump()
      return response.statusCode
    }),
  )
}

const validate = new OptionValidator('test')
const defaults = { algorithm: 'fixed-window' as const, shadow: false, nearLimit: 0 }

function tally(codes: number[]): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1
  return counts
}

t.test('200 concurrent requests against a limit of 20: exactly 20 succeed', async (t) => {
  const prefix = `${PREFIX}concurrent:`
  for (const algorithm of ['sliding-window', 'gcra', 'sliding-log'] as const) {
    const { pool } = await listening({
      redis: { url: REDIS_URL, timeout: 2000 },
      prefix: `${prefix}${algorithm}:`,
      policies: { burst: { limit: 20, window: 60, algorithm } },
    })
    t.same(tally(await statuses(pool, 200)), { 200: 20, 429: 180 }, algorithm)
  }
})

t.test('two instances sharing one Redis share one limit', async (t) => {
  const options = {
    redis: { url: REDIS_URL, timeout: 2000 },
    prefix: `${PREFIX}shared:`,
    policies: { minute: { limit: 30, window: 60 } },
  }
  const first = await listening(options)
  const second = await listening(options)
  const [a, b] = await Promise.all([statuses(first.pool, 100), statuses(second.pool, 100)])
  t.equal((tally(a)[200] ?? 0) + (tally(b)[200] ?? 0), 30, 'thirty in all')
  t.ok((tally(a)[200] ?? 0) > 0 && (tally(b)[200] ?? 0) > 0, 'both instances admitted some')
  const after = await first.app.inject('/')
  t.equal(after.statusCode, 429, 'and each sees the other’s counts')
})

t.test('instances whose clocks are 30 s apart still enforce one limit (the script uses Redis TIME)', async (t) => {
  const skewed = (clock: RedisOption['clock'], offset: number, prefix: string) =>
    listening({
      redis: { url: REDIS_URL, timeout: 2000, clock, now: () => Date.now() + offset },
      prefix,
      // 30 s windows: with the caller's clocks, the instances are always in different windows.
      policies: { window: { limit: 10, window: 30, algorithm: 'fixed-window' } },
    })
  const prefix = `${PREFIX}skew:`
  const ahead = await skewed('redis', 30_000, prefix)
  const behind = await skewed('redis', 0, prefix)
  let admitted = 0
  for (let i = 0; i < 20; i++) {
    for (const { app } of [ahead, behind]) if ((await app.inject('/')).statusCode === 200) admitted++
  }
  t.equal(admitted, 10, 'one limit for both')
  const [seconds] = await admin.time()
  const reset = Number((await ahead.app.inject('/')).headers['x-ratelimit-reset'])
  t.ok(reset > Number(seconds) && reset <= Number(seconds) + 31, 'headers use the server time, not the skewed clock')

  // A store on the instance's clock would decide at Date.now() + 30 s: the script decides at the
  // server's TIME whatever the instance's clock says.
  const store = new RedisStore({ url: REDIS_URL, now: () => Date.now() + 30_000, timeout: 2000 })
  t.teardown(() => store.close())
  await store.ready()
  const policies = [compilePolicy(validate, 'p', 'p', { limit: 5, window: 30 }, defaults)]
  const result = await store.consume('skewed', [{ scope: `${PREFIX}skew-direct:global`, policies }])
  const [serverSeconds, micros] = await admin.time()
  const serverNow = Number(serverSeconds) * 1000 + Math.floor(Number(micros) / 1000)
  t.equal(result.degraded, false)
  t.ok(Math.abs(result.now - serverNow) < 1000, `decided at the server's time (${result.now - serverNow} ms off)`)
})

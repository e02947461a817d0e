import { OptionValidator } from '@rampart/core'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import t from 'tap'
import rampartRateLimit, {
  type ConsumeResult,
  compilePolicy,
  RATE_LIMIT_SCRIPT_SHA,
  type RateLimitOptions,
  RedisStore,
} from '../src/index.js'
import { adminClient, CommandCounter, deleteKeys, REDIS_URL, randomPrefix, ServerCommandLog } from './fixtures/redis.js'
import { freePorts, RedisServerUnavailable, scratchDirectory, startRedisServer } from './fixtures/redis-server.js'

// One Redis command per request, whatever the number of policies and sets: counted on the client
// side from ioredis' own tracing channel (every command written to a socket in this process), and
// on the server side from the SLOWLOG of a redis-server this test starts for itself (logging every
// command; the shared server also serves other tests). Then NOSCRIPT: the script cache flushed mid-test costs one
// SCRIPT LOAD and one retry, and nothing else.

const PREFIX = randomPrefix('commands')
const admin = adminClient(t)
t.teardown(() => deleteKeys(admin, PREFIX))

const ROUTE_POLICIES = {
  login: { limit: 1000, window: 300 },
  'login-log': { limit: 1000, window: 60, algorithm: 'sliding-log' as const },
}

async function app(url: string, options: RateLimitOptions = {}): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartRateLimit, {
    redis: { url, timeout: 2000 },
    prefix: `${PREFIX}app:`,
    ...(options.policies === undefined ? { perMinute: 1000, perHour: 10_000 } : {}),
    ...options,
  })
  app.get('/', async () => 'ok')
  app.post('/login', { config: { rampart: { rateLimit: ROUTE_POLICIES } } }, async () => 'in')
  await app.ready()
  return app
}

/** Sends `count` requests, half of them concurrently, to two routes (one set, then two sets). */
async function traffic(app: FastifyInstance, count: number): Promise<number[]> {
  const codes: number[] = []
  for (let i = 0; i < count / 2; i++)
    codes.push((await app.inject(i % 2 ? '/' : { method: 'POST', url: '/login' })).statusCode)
  const concurrent = Array.from({ length: count / 2 }, (_, i) =>
    app.inject(i % 2 ? '/' : { method: 'POST', url: '/login' }),
  )
  for (const response of await Promise.all(concurrent)) codes.push(response.statusCode)
  return codes
}

t.test('exactly one command per request (client side: every command ioredis writes)', async (t) => {
  const limited = await app(REDIS_URL)
  const counter = new CommandCounter()
  t.teardown(() => counter.stop())
  const codes = await traffic(limited, 100)
  counter.stop()
  t.same([...new Set(codes)], [200])
  t.equal(counter.commands.length, 100, '100 requests, 100 commands')
  t.same([...new Set(counter.commands)], ['evalsha'], 'all of them EVALSHA')
})

t.test('the calls of one turn of the event loop go out in one socket write, still one EVALSHA each', async (t) => {
  const store = new RedisStore({ url: REDIS_URL, timeout: 2000 })
  t.teardown(() => store.close())
  await store.ready()
  const validate = new OptionValidator('test')
  const set = {
    scope: `${PREFIX}batch:global`,
    policies: [
      compilePolicy(
        validate,
        'minute',
        'minute',
        { limit: 1000, window: 60 },
        {
          algorithm: 'sliding-window',
          shadow: false,
          nearLimit: 0,
        },
      ),
    ],
  }
  const stream = (store.client as Redis).stream
  const write = stream.write
  let writes = 0
  stream.write = function (this: typeof stream, ...args: Parameters<typeof write>) {
    writes++
    return write.apply(this, args)
  } as typeof write
  t.teardown(() => {
    stream.write = write
  })
  const counter = new CommandCounter()
  t.teardown(() => counter.stop())
  // Each call from a callback of its own, as requests arriving on different connections are: the
  // store's client auto-pipelines until the turn's immediates run, so they still share one write.
  const results = await Promise.all(
    Array.from(
      { length: 30 },
      (_, i) =>
        new Promise<ConsumeResult>((resolve) => setImmediate(() => resolve(store.consume(`client-${i % 7}`, [set])))),
    ),
  )
  counter.stop()
  t.same(
    results.map((result) => result.allowed && !result.degraded),
    results.map(() => true),
    'every call decided by Redis',
  )
  t.same(
    results.filter((_, i) => i % 7 === 0).map((result) => result.decisions[0]?.remaining),
    [999, 998, 997, 996, 995],
    "each call counted once, in order, in its client's key",
  )
  t.equal(counter.commands.length, 30, '30 calls, 30 commands')
  t.same([...new Set(counter.commands)], ['evalsha'])
  t.equal(writes, 1, 'one write to the socket')
  writes = 0
  await store.consume('alone', [set])
  t.equal(writes, 1, 'a lone call: one write')
})

t.test('exactly one command per request (server side: the SLOWLOG of a private redis-server)', async (t) => {
  let server: Awaited<ReturnType<typeof startRedisServer>>
  const dir = await scratchDirectory()
  t.teardown(() => dir.remove())
  try {
    server = await startRedisServer((await freePorts(1))[0] as number, dir.path)
  } catch (error) {
    if (error instanceof RedisServerUnavailable) return t.plan(0, `no redis-server to start: ${error.message}`)
    throw error
  }
  t.teardown(() => server.stop())
  const limited = await app(server.url)
  const log = new ServerCommandLog(adminClient(t, server.url))
  await log.start()
  await traffic(limited, 100)
  const commands = await log.clientCommands()
  t.equal(commands.length, 100, 'the server received 100 commands from the store')
  t.same(
    [...new Set(commands.map((entry) => entry.command))],
    ['evalsha'],
    "all EVALSHA (what they ran is logged as the script's)",
  )
})

t.test('NOSCRIPT (script cache flushed): one SCRIPT LOAD, one retry, no failure', async (t) => {
  // GCRA over an hour: `remaining` is an exact count for the few seconds this test takes.
  const limited = await app(REDIS_URL, {
    prefix: `${PREFIX}noscript:`,
    policies: { hourly: { limit: 1000, window: 3600, algorithm: 'gcra' } },
  })
  t.equal((await limited.inject('/')).headers['x-ratelimit-remaining'], '999')
  await admin.script('FLUSH')
  t.same(await admin.script('EXISTS', RATE_LIMIT_SCRIPT_SHA), [0], 'the script is gone')
  const counter = new CommandCounter()
  t.teardown(() => counter.stop())
  const responses = await Promise.all(Array.from({ length: 20 }, () => limited.inject('/')))
  counter.stop()
  t.same([...new Set(responses.map((response) => response.statusCode))], [200], 'every request answered')
  t.same(
    responses.map((response) => response.headers['x-ratelimit-remaining']).sort((a, b) => Number(b) - Number(a)),
    Array.from({ length: 20 }, (_, i) => String(998 - i)),
    'each counted once, in Redis, after the first request (not by a fresh insurance limiter)',
  )
  const loads = counter.commands.filter((command) => command === 'script').length
  t.equal(loads, 1, 'one SCRIPT LOAD for all the concurrent requests that met NOSCRIPT')
  t.equal(counter.commands.filter((command) => command === 'evalsha').length <= 40, true, 'at most one retry each')
  t.same(await admin.script('EXISTS', RATE_LIMIT_SCRIPT_SHA), [1], 'loaded again')

  const steady = new CommandCounter()
  t.teardown(() => steady.stop())
  await limited.inject('/')
  steady.stop()
  t.same(steady.commands, ['evalsha'], 'then one command per request again')
})

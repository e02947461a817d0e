import { monitorEventLoopDelay } from 'node:perf_hooks'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import rampartRateLimit, {
  type RateLimitOptions,
  RedisStore,
  type StoreStateEvent,
  storeStateChannel,
} from '../src/index.js'
import { adminClient, CommandCounter, deleteKeys, REDIS_URL, randomPrefix } from './fixtures/redis.js'
import { TcpProxy } from './fixtures/tcp-proxy.js'

// Redis failing under the limiter, through a TCP proxy the test cuts, slows down and restores:
// the failure mode holds, the insurance limiter enforces each instance's share, no request fails
// with a 500 or waits past the deadline, the breaker reports each transition, no command piles up,
// and shared limiting resumes by itself when Redis is back.

const PREFIX = randomPrefix('faults')
const admin = adminClient(t)
t.teardown(() => deleteKeys(admin, PREFIX))

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => {
  process.off('unhandledRejection', onUnhandled)
})

const events: StoreStateEvent[] = []
t.teardown(storeStateChannel.subscribe((event) => events.push(event)))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function proxied(t: Test): Promise<TcpProxy> {
  const proxy = await TcpProxy.start(REDIS_URL)
  t.teardown(() => proxy.close())
  return proxy
}

let apps = 0
async function limited(redis: RateLimitOptions['redis'], options: RateLimitOptions = {}) {
  const app = Fastify()
  t.teardown(() => app.close())
  const prefix = `${PREFIX}${apps++}:`
  await app.register(rampartRateLimit, { redis, prefix, ...options })
  app.get('/', async () => 'ok')
  app.post(
    '/login',
    { config: { rampart: { rateLimit: { login: { limit: 3, window: 60, failureMode: 'fail-closed' } } } } },
    async () => 'in',
  )
  await app.ready()
  return { app, prefix }
}

/** The states the breaker of the store named `name` went through. */
function storeOf(name: string): RedisStore['state'][] {
  return events.filter((event) => event.store === name).map((event) => event.state)
}

async function codes(app: FastifyInstance, count: number, url = '/'): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < count; i++)
    statuses.push((await app.inject({ method: url === '/' ? 'GET' : 'POST', url })).statusCode)
  return statuses
}

const count = (statuses: number[], code: number) => statuses.filter((status) => status === code).length

t.test(
  'Redis cut: fail-open policies fall back to the insurance limiter (limit / instances), fail-closed ones answer 503, never a 500; Redis back: shared limiting resumes',
  async (t) => {
    const proxy = await proxied(t)
    const name = 'cut'
    // GCRA over an hour: `remaining` counts requests exactly for the few seconds this test takes.
    // A 2 s deadline: a cut fails at once (the proxy closes the sockets), while the default 50 ms
    // could send one of the first requests to the insurance limiter on a loaded machine, and the
    // count that resumes from Redis would be one short.
    const { app } = await limited(
      { url: proxy.url(REDIS_URL), name, instances: 2, breakerFailures: 3, breakerCooldown: 200, timeout: 2000 },
      { policies: { hourly: { limit: 10, window: 3600, algorithm: 'gcra' } } },
    )
    t.same(await codes(app, 4), [200, 200, 200, 200], 'Redis decides')

    proxy.cut()
    const closed = await codes(app, 2, '/login')
    t.same(closed, [503, 503], 'a fail-closed policy refuses while Redis is away (and charges nothing)')
    const body = (await app.inject({ method: 'POST', url: '/login' })).json()
    t.equal(body.code, 'RAMPART_RATE_LIMIT_STORE_UNAVAILABLE')
    const during = await codes(app, 12)
    t.equal(count(during, 500), 0, 'no 500')
    t.same(during.slice(0, 5), [200, 200, 200, 200, 200], 'the insurance limiter admits 10 / 2 instances = 5')
    t.equal(count(during, 429), 7, 'then refuses, as the limit would')
    t.same(storeOf(name), ['open'], 'the breaker opened')

    const counter = new CommandCounter()
    t.teardown(() => counter.stop())
    proxy.restore()
    const restored = performance.now()
    let recovered = -1
    while (performance.now() - restored < 5000) {
      await sleep(50)
      const response = await app.inject('/')
      t.not(response.statusCode, 500)
      if (storeOf(name).at(-1) === 'closed') {
        recovered = performance.now() - restored
        break
      }
    }
    t.ok(
      recovered >= 0 && recovered < 2000,
      `shared limiting resumed ${Math.round(recovered)} ms after Redis came back`,
    )
    t.match(storeOf(name), ['open', 'half-open', ...new Array(storeOf(name).length - 3).fill(/open/), 'closed'])
    // Redis again: the 4 requests counted before the cut are still there.
    const response = await app.inject('/')
    counter.stop()
    const reachedRedis = counter.commands.filter((command) => command === 'evalsha').length
    t.equal(
      response.headers['x-ratelimit-remaining'],
      String(10 - 4 - reachedRedis),
      `counts resume from Redis: 4 before the cut, ${reachedRedis} since`,
    )
    t.equal(unhandled.length, 0, 'no unhandled rejection')
  },
)

t.test(
  'Redis slow (500 ms): no request waits past the deadline; the breaker opens; fast again: it closes',
  async (t) => {
    const proxy = await proxied(t)
    const name = 'slow'
    const { app } = await limited(
      { url: proxy.url(REDIS_URL), name, timeout: 50, breakerFailures: 3, breakerCooldown: 200 },
      { policies: { minute: { limit: 1000, window: 60 } } },
    )
    t.equal((await app.inject('/')).statusCode, 200)
    proxy.delayMs = 500
    const latencies: number[] = []
    const statuses: number[] = []
    // A late timer is the process's time, given back to pending calls (found-7): the bound allows
    // for the event loop's own lateness on a loaded machine.
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    for (let i = 0; i < 20; i++) {
      const started = performance.now()
      const responses = await Promise.all(Array.from({ length: 5 }, () => app.inject('/')))
      latencies.push(performance.now() - started)
      statuses.push(...responses.map((response) => response.statusCode))
    }
    t.same([...new Set(statuses)], [200], 'every request answered (fail-open)')
    lag.disable()
    const worst = Math.max(...latencies)
    const maxLagMs = lag.max / 1e6
    t.ok(
      worst < 250 + 2 * maxLagMs,
      `the slowest batch took ${Math.round(worst)} ms (deadline 50 ms; Redis answers in 500; event loop up to ${Math.round(maxLagMs)} ms late)`,
    )
    t.equal(storeOf(name)[0], 'open')
    proxy.delayMs = 0
    await sleep(600)
    for (let i = 0; i < 20 && storeOf(name).at(-1) !== 'closed'; i++) {
      await app.inject('/')
      await sleep(50)
    }
    t.equal(storeOf(name).at(-1), 'closed', 'closed again once Redis is fast')
  },
)

t.test(
  'no command backlog: with your own client (offline queue on), nothing is queued while Redis is away',
  async (t) => {
    const proxy = await proxied(t)
    const client = new Redis(proxy.url(REDIS_URL), { retryStrategy: () => 100 })
    client.on('error', () => {})
    t.teardown(() => client.disconnect())
    const name = 'backlog'
    const { app } = await limited({ client, name, breakerFailures: 3, breakerCooldown: 10_000 })
    t.equal((await app.inject('/')).statusCode, 200)
    proxy.cut()
    await sleep(50)
    await codes(app, 200)
    const counter = new CommandCounter()
    t.teardown(() => counter.stop())
    proxy.restore()
    while (client.status !== 'ready') await sleep(20)
    await sleep(200)
    counter.stop()
    t.equal(counter.commands.filter((command) => command === 'evalsha').length, 0, 'no EVALSHA flushed on reconnect')
  },
)

t.test('a store whose Redis never answered: requests are decided locally, ready() does not hang', async (t) => {
  const proxy = await proxied(t)
  proxy.cut()
  const store = new RedisStore({ url: proxy.url(REDIS_URL), readyTimeout: 300, breakerFailures: 2 })
  t.teardown(() => store.close())
  const started = performance.now()
  await store.ready()
  t.ok(performance.now() - started < 1000, 'ready() gave up after readyTimeout')
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartRateLimit, { store, prefix: `${PREFIX}never:`, perMinute: 2, burst: 0 })
  app.get('/', async () => 'ok')
  t.same(await codes(app, 4), [200, 200, 429, 429], 'the insurance limiter enforces the limit')
  t.equal(store.state, 'open')
  t.equal(store.pending, 0, 'nothing sent, nothing pending')
})

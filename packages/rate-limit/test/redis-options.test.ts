import { randomBytes } from 'node:crypto'
import fastifyRedis from '@fastify/redis'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import t from 'tap'
import rampartRateLimit, { RedisStore } from '../src/index.js'
import { adminClient, deleteKeys, REDIS_URL, randomPrefix } from './fixtures/redis.js'

// How the Redis store is configured: from @fastify/redis (`redis: true`, a namespace), a URL, an
// ioredis client or an options object; what is refused at register; who closes which client; the
// start-up check for a shared store without a prefix; breaker transitions in the app's log.

const PREFIX = randomPrefix('options')
const admin = adminClient(t)
t.teardown(() => deleteKeys(admin, PREFIX))

/** The last command of the connection named `name`, from the server's CLIENT LIST. */
async function lastCommand(name: string): Promise<string | undefined> {
  const list = (await admin.client('LIST')) as string
  return list
    .split('\n')
    .find((line) => line.includes(` name=${name} `))
    ?.match(/ cmd=(\S+)/)?.[1]
}

function capture() {
  const lines: { check?: string; msg: string; level: number; state?: string }[] = []
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } } })
  t.teardown(() => app.close())
  return { app, lines }
}

t.test('redis: true uses fastify.redis from @fastify/redis', async (t) => {
  const name = `rl-${randomBytes(4).toString('hex')}`
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { url: REDIS_URL, connectionName: name })
  await app.register(rampartRateLimit, { redis: true, prefix: `${PREFIX}true:` })
  app.get('/', async () => 'ok')
  t.equal((await app.inject('/')).statusCode, 200)
  t.equal(await lastCommand(name), 'evalsha', "the limiter's EVALSHA went through @fastify/redis's connection")
})

t.test('redis: "<namespace>" (or { namespace }) uses fastify.redis[namespace]', async (t) => {
  const name = `rl-${randomBytes(4).toString('hex')}`
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { url: REDIS_URL, namespace: 'cache', connectionName: `${name}-cache` })
  await app.register(fastifyRedis, { url: REDIS_URL, namespace: 'limits', connectionName: name })
  await app.register(rampartRateLimit, { redis: 'limits', prefix: `${PREFIX}ns:` })
  await app.register(rampartRateLimit, {
    redis: { namespace: 'limits', timeout: 100 },
    prefix: `${PREFIX}ns2:`,
    name: 'second',
    policies: { second: { limit: 5, window: 1 } },
  })
  app.get('/', async () => 'ok')
  t.equal((await app.inject('/')).statusCode, 200)
  t.equal(await lastCommand(name), 'evalsha')
  t.not(await lastCommand(`${name}-cache`), 'evalsha', 'not through the other namespace')
})

t.test('without @fastify/redis, or with an unknown namespace: a clear error at register', async (t) => {
  const bare = Fastify()
  await t.rejects(async () => bare.register(rampartRateLimit, { redis: true }), {
    code: 'RAMPART_RATE_LIMIT_INVALID_OPTION',
    message:
      /option "redis" uses fastify\.redis, but @fastify\/redis is not registered: register it before @rampart\/rate-limit/,
  })
  const named = Fastify()
  t.teardown(() => named.close())
  await named.register(fastifyRedis, { url: REDIS_URL, namespace: 'cache' })
  await t.rejects(async () => named.register(rampartRateLimit, { redis: 'limits' }), {
    message: /option "redis\.namespace" names a @fastify\/redis namespace that is not registered \(registered: cache\)/,
  })
  const onlyNamed = Fastify()
  t.teardown(() => onlyNamed.close())
  await onlyNamed.register(fastifyRedis, { url: REDIS_URL, namespace: 'cache' })
  await t.rejects(async () => onlyNamed.register(rampartRateLimit, { redis: true }), {
    message: /has only namespaced clients \(cache\): name one/,
  })
})

t.test('bad Redis options fail register naming the option', async (t) => {
  const client = new Redis(REDIS_URL, { lazyConnect: true })
  const cases: [unknown, RegExp][] = [
    [{ redis: { url: REDIS_URL, timeout: 0 } }, /option "redis\.timeout" must be >= 1/],
    [
      { redis: { url: REDIS_URL, failureMode: 'open' } },
      /option "redis\.failureMode" must be one of "fail-open", "fail-closed"/,
    ],
    [{ redis: { url: REDIS_URL, instances: 0 } }, /option "redis\.instances" must be >= 1/],
    [{ redis: { url: REDIS_URL, clock: 'local' } }, /option "redis\.clock" must be one of "redis", "caller"/],
    [{ redis: { url: 'http://localhost' } }, /option "redis\.url" must match/],
    [{ redis: { url: REDIS_URL, client } }, /option "redis\.client" or `url`: give exactly one of them/],
    [{ redis: { client: {} } }, /option "redis\.client" must be an ioredis client/],
    [{ redis: { url: REDIS_URL, timeoutMs: 5 } }, /option "redis\.timeoutMs" is not a known option/],
    [
      { redis: { url: REDIS_URL, namespace: 'x' } },
      /option "redis\.namespace" cannot be combined with `client` or `url`/,
    ],
    [{ redis: 42 }, /option "redis" must be an object/],
    [{ redis: REDIS_URL, store: new RedisStore({ client }) }, /option "redis" cannot be combined with `store`/],
    [
      { redis: REDIS_URL, maxClients: 5 },
      /option "maxClients" configures the built-in memory store; set it in the `redis` options/,
    ],
    [
      { policies: { p: { limit: 1, window: 1, failureMode: 'closed' } } },
      /option "policies\.p\.failureMode" must be one of/,
    ],
    [{ ban: { after: 0, duration: 60 } }, /option "ban\.after" must be >= 1/],
    [{ ban: { after: 3 } }, /option "ban\.duration" must be an integer/],
    [{ ban: { after: 3, duration: 60, for: 5 } }, /option "ban\.for" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    await t.rejects(
      async () => app.register(rampartRateLimit, options as object),
      { code: 'RAMPART_RATE_LIMIT_INVALID_OPTION', message },
      String(message),
    )
  }
  t.throws(() => new RedisStore({}), { message: /option "client" or `url`: give exactly one of them/ })
  client.disconnect()
})

t.test('the store closes the client it created, and never yours', async (t) => {
  const own = new RedisStore({ url: REDIS_URL })
  await own.ready()
  t.equal(own.client.status, 'ready')
  await own.close()
  t.match(own.client.status, /^(close|end)$/, 'created from the URL: closed')
  const client = new Redis(REDIS_URL)
  t.teardown(() => client.quit())
  const yours = new RedisStore({ client })
  await yours.ready()
  await yours.close()
  t.equal(client.status, 'ready', 'given: still open')
})

t.test('a Redis store without a prefix is reported once at register; with one, not', async (t) => {
  const bare = capture()
  await bare.app.register(rampartRateLimit, { redis: { url: REDIS_URL, readyTimeout: 0 } })
  const warnings = bare.lines.filter((line) => line.check === 'rate-limit-shared-store-without-prefix')
  t.equal(warnings.length, 1)
  t.match(warnings[0]?.msg, /the store is shared \(e\.g\. Redis\) but no `prefix` is set/)
  const named = capture()
  await named.app.register(rampartRateLimit, { redis: { url: REDIS_URL, readyTimeout: 0 }, prefix: `${PREFIX}named:` })
  t.equal(named.lines.filter((line) => line.check === 'rate-limit-shared-store-without-prefix').length, 0)
})

t.test("breaker transitions reach the app's log", async (t) => {
  const { app, lines } = capture()
  // Nothing listens on port 1: the connection never comes up.
  await app.register(rampartRateLimit, {
    redis: { url: 'redis://127.0.0.1:1', readyTimeout: 0, breakerFailures: 1, name: 'unreachable' },
    prefix: `${PREFIX}log:`,
  })
  app.get('/', async () => 'ok')
  t.equal((await app.inject('/')).statusCode, 200, 'fail-open: admitted by the insurance limiter')
  const opened = lines.find((line) => line.state === 'open')
  t.equal(opened?.level, 40, 'logged at warn')
  t.match(opened?.msg, /store "unreachable" unavailable \(not connected\); the insurance limiter decides/)
})

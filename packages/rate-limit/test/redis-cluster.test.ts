import Fastify, { type FastifyInstance } from 'fastify'
import { Cluster } from 'ioredis'
import t from 'tap'
import rampartRateLimit, { RATE_LIMIT_SCRIPT_SHA, type RateLimitOptions } from '../src/index.js'
import { type RedisClusterFixture, RedisServerUnavailable, startRedisCluster } from './fixtures/redis-server.js'

// A real 3-master Redis Cluster on loopback ports, started (and killed by PID) by this test: every
// key of one request carries the client's hash tag, so the one-call script runs on the node that
// owns that slot; different clients spread over the masters; limits are shared and race-free.

let cluster: RedisClusterFixture | undefined
try {
  cluster = await startRedisCluster(3)
} catch (error) {
  if (!(error instanceof RedisServerUnavailable)) throw error
  t.plan(0, `redis-server lacks cluster support here (${error.message}): Redis Cluster tests skipped`)
}

if (cluster !== undefined) {
  const nodes = cluster.nodes
  t.teardown(() => cluster?.stop())

  const clusterClient = () => {
    const client = new Cluster([...nodes], { enableAutoPipelining: true, enableOfflineQueue: false })
    t.teardown(() => client.quit())
    return client
  }
  const admin = new Cluster([...nodes])
  t.teardown(() => admin.quit())
  await admin.ping()

  async function limited(options: RateLimitOptions): Promise<FastifyInstance> {
    const client = clusterClient()
    await new Promise((resolve) => client.once('ready', resolve))
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(rampartRateLimit, {
      redis: { client, timeout: 2000 },
      key: (request) => (request.headers['x-client'] as string | undefined) ?? request.ip,
      ...options,
    })
    app.get('/', async () => 'ok')
    app.post(
      '/login',
      {
        config: {
          rampart: {
            rateLimit: {
              login: { limit: 100, window: 60 },
              attempts: { limit: 100, window: 60, algorithm: 'sliding-log' },
            },
          },
        },
      },
      async () => 'in',
    )
    await app.ready()
    return app
  }

  const tally = (codes: number[]) => ({
    ok: codes.filter((code) => code === 200).length,
    refused: codes.filter((code) => code === 429).length,
  })

  t.test('200 concurrent requests against a limit of 20 on the cluster: exactly 20 succeed', async (t) => {
    const app = await limited({ prefix: 'cluster:race:', policies: { burst: { limit: 20, window: 60 } } })
    const responses = await Promise.all(Array.from({ length: 200 }, () => app.inject('/')))
    t.same(tally(responses.map((response) => response.statusCode)), { ok: 20, refused: 180 })
  })

  t.test('two instances on the cluster share one limit', async (t) => {
    const options = { prefix: 'cluster:shared:', policies: { minute: { limit: 30, window: 60 } } }
    const first = await limited(options)
    const second = await limited(options)
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 ? first : second).inject({ url: '/', headers: { 'x-client': 'shared' } }),
      ),
    )
    t.same(tally(responses.map((response) => response.statusCode)), { ok: 30, refused: 70 })
  })

  t.test("one request's keys share one slot; clients spread over the masters", async (t) => {
    const app = await limited({ prefix: 'cluster:slots:' })
    for (let i = 0; i < 30; i++)
      await app.inject({ method: 'POST', url: '/login', headers: { 'x-client': `client-${i}` } })
    const byClient = new Map<string, { keys: number; slots: Set<number>; nodes: Set<number> }>()
    const owners = new Set<number>()
    for (const node of admin.nodes('master')) {
      const keys = await node.keys('cluster:slots:*')
      for (const key of keys) {
        const tag = key.slice(key.indexOf('{'))
        const entry = byClient.get(tag) ?? { keys: 0, slots: new Set(), nodes: new Set() }
        entry.keys++
        entry.slots.add(await node.cluster('KEYSLOT', key))
        entry.nodes.add(node.options.port as number)
        byClient.set(tag, entry)
        owners.add(node.options.port as number)
      }
    }
    t.equal(byClient.size, 30, 'thirty clients')
    // The global set's string (minute + hour), the route set's string (login + the attempts log's
    // counter) and the log's sorted set: 3 keys each.
    const perClient = [...byClient.values()]
    t.ok(
      perClient.every((entry) => entry.keys === 3),
      'three keys per client',
    )
    t.ok(
      perClient.every((entry) => entry.slots.size === 1 && entry.nodes.size === 1),
      'all keys of a client in one slot, on one node',
    )
    t.equal(owners.size, 3, 'the clients spread over the three masters')
  })

  t.test('NOSCRIPT on the cluster: the script is loaded again on every master', async (t) => {
    const app = await limited({ prefix: 'cluster:noscript:' })
    for (const node of admin.nodes('master')) await node.script('FLUSH')
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => app.inject({ url: '/', headers: { 'x-client': `c${i}` } })),
    )
    t.same([...new Set(responses.map((response) => response.statusCode))], [200])
    for (const node of admin.nodes('master')) {
      t.same(await node.script('EXISTS', RATE_LIMIT_SCRIPT_SHA), [1], `loaded on ${node.options.port}`)
    }
  })
}

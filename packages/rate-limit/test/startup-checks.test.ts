import { ClientAddressResolver, declareClientAddress, setClientAddressResolver } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit, { type ConsumeResult, MemoryStore, type PolicySet, type RateLimitStore } from '../src/index.js'

function capture() {
  const lines: { check?: string; msg: string; level: number }[] = []
  const app = Fastify({
    logger: { level: 'warn', stream: { write: (line: string) => lines.push(JSON.parse(line)) } },
  })
  const warnings = (check: string) => lines.filter((line) => line.check === check)
  return { app, lines, warnings }
}

/** A store that says it is shared between processes (as the Redis store will), counting in memory. */
class SharedStore implements RateLimitStore {
  readonly shared = true
  readonly memory = new MemoryStore()
  consume(client: string, sets: readonly PolicySet[]): ConsumeResult {
    return this.memory.consume(client, sets)
  }
}

t.test('X-Forwarded-For while no proxy is trusted: logged once, on the first such request', async (t) => {
  const { app, warnings } = capture()
  await app.register(rampartRateLimit)
  app.get('/', async () => 'ok')
  await app.inject('/')
  t.equal(warnings('rate-limit-forwarded-untrusted').length, 0, 'nothing without the header')
  for (let i = 0; i < 3; i++) await app.inject({ url: '/', headers: { 'x-forwarded-for': '198.51.100.1' } })
  const [warning, ...more] = warnings('rate-limit-forwarded-untrusted')
  t.equal(more.length, 0, 'once')
  t.match(warning?.msg, /X-Forwarded-For, but no proxy is trusted.*shares the proxy's limit.*trustedProxies/)
})

t.test('no such warning when a proxy is trusted', async (t) => {
  const { app, warnings } = capture()
  setClientAddressResolver(app, new ClientAddressResolver({ trustedProxies: ['127.0.0.1'] }))
  declareClientAddress(app)
  await app.register(rampartRateLimit)
  app.get('/', async () => 'ok')
  await app.inject({ url: '/', headers: { 'x-forwarded-for': '198.51.100.1' } })
  t.equal(warnings('rate-limit-forwarded-untrusted').length, 0)
})

t.test('a trusted proxy list covering every address is reported at ready', async (t) => {
  const { app, warnings } = capture()
  await app.register(rampartRateLimit)
  // proxy-headers may be registered after the limiter: the check runs at ready.
  setClientAddressResolver(app, new ClientAddressResolver({ trustedProxies: ['0.0.0.0/0'] }))
  await app.ready()
  t.match(warnings('rate-limit-trusts-everyone')[0]?.msg, /covers every address \(0\.0\.0\.0\/0 or ::\/0\)/)
})

t.test('a shared store without a prefix is reported; with one it is not', async (t) => {
  const bare = capture()
  await bare.app.register(rampartRateLimit, { store: new SharedStore() })
  t.match(bare.warnings('rate-limit-shared-store-without-prefix')[0]?.msg, /shared .* no `prefix` is set/)
  const named = capture()
  await named.app.register(rampartRateLimit, { store: new SharedStore(), prefix: 'shop:rl:' })
  t.equal(named.warnings('rate-limit-shared-store-without-prefix').length, 0)
})

t.test('one store and one prefix under two instances is reported', async (t) => {
  const { app, warnings } = capture()
  const store = new MemoryStore()
  await app.register(rampartRateLimit, { store })
  app.register(async (child) => {
    await child.register(rampartRateLimit, { store, name: 'other' })
  })
  await app.ready()
  t.equal(warnings('rate-limit-store-reused').length, 1)
})

t.test('a limit of 0 is reported (once per policy) and refuses every request', async (t) => {
  const { app, warnings } = capture()
  await app.register(rampartRateLimit, { perHour: 0 })
  app.get('/closed', { config: { rampart: { rateLimit: { closed: { limit: 0, window: 60 } } } } }, async () => 'ok')
  app.get('/', async () => 'ok')
  const zero = warnings('rate-limit-zero-limit')
  t.equal(zero.length, 2)
  t.match(zero[0]?.msg, /policy "hour" \(limiter "default"\) has a limit of 0/)
  t.match(zero[1]?.msg, /policy "closed" \(route GET \/closed\) has a limit of 0/)
  const refused = await app.inject('/')
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['retry-after'], '3600')
})

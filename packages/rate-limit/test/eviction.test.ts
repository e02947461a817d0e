import Fastify from 'fastify'
import t from 'tap'
import rampartRateLimit, { MemoryStore } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'

// Bypass 1 of the "cannot be bypassed" issue: eviction must never reset a quota.
//
// A naive bounded table (an LRU of 100 entries, as @fastify/rate-limit's LocalStore) forgets the
// least recently used client when a new one arrives. An attacker who has exhausted its quota then
// only needs 100 requests from other addresses (a botnet, an IPv6 range, or just a busy server) to
// push its entry out, and comes back with a fresh quota. Here the evicted client's usage goes into
// an over-counting sketch, and a client that is not in the table is restored from it: A stays
// refused until its window really ends, then is allowed again.
t.test('an exhausted client stays refused after 2,000 other clients push it out of a 100-client table', async (t) => {
  const clock = new FakeClock()
  const store = new MemoryStore({ maxClients: 100, now: clock.now })
  const app = Fastify()
  await app.register(rampartRateLimit, { perMinute: 5, burst: 0, store })
  app.get('/', async () => 'ok')
  const attacker = '203.0.113.66'
  const request = (remoteAddress: string) => app.inject({ url: '/', remoteAddress })

  for (let i = 0; i < 5; i++) t.equal((await request(attacker)).statusCode, 200)
  const refused = await request(attacker)
  t.equal(refused.statusCode, 429)
  const retryAfter = Number(refused.headers['retry-after'])

  clock.advance(1000)
  let others = 0
  for (let i = 0; i < 2000; i++) {
    const response = await request(`10.${(i >> 8) & 255}.${i & 255}.1`)
    if (response.statusCode === 200) others++
  }
  t.equal(others, 2000, 'every other client is served')
  const [table] = store.stats()
  t.ok((table?.clients ?? 0) <= 100, `the table holds at most 100 clients (${table?.clients})`)
  t.ok((table?.evictions ?? 0) >= 1900, 'clients were evicted, the attacker among them')

  const again = await request(attacker)
  t.equal(again.statusCode, 429, 'the attacker is still refused: no fresh quota')
  t.equal(Number(again.headers['retry-after']), retryAfter - 1, 'and must wait exactly as long as before')

  clock.advance((retryAfter - 1) * 1000 - 1000)
  t.equal((await request(attacker)).statusCode, 429, 'still refused one second before its window ends')
  clock.advance(1000)
  t.equal((await request(attacker)).statusCode, 200, 'allowed once its window has really ended')
})

import { OptionValidator } from '@rampart/core'
import t from 'tap'
import {
  ALGORITHM_NAMES,
  type AlgorithmName,
  compilePolicy,
  MemoryStore,
  type PolicyOptions,
  type PolicySet,
} from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'

const validate = new OptionValidator('test')
const defaults = { algorithm: 'sliding-window' as AlgorithmName, shadow: false, nearLimit: 0 }

function set(scope: string, policies: Record<string, PolicyOptions>): PolicySet {
  return {
    scope,
    policies: Object.entries(policies).map(([name, options]) => compilePolicy(validate, name, name, options, defaults)),
  }
}

t.test('one consume covers several sets atomically: nothing is charged when any policy refuses', async (t) => {
  const clock = new FakeClock()
  const store = new MemoryStore({ now: clock.now })
  const global = set('g', { minute: { limit: 10, window: 60 } })
  const route = set('r', { login: { limit: 1, window: 60 } })
  t.equal(store.consume('a', [global, route]).allowed, true)
  for (let i = 0; i < 5; i++) {
    const result = store.consume('a', [global, route])
    t.equal(result.allowed, false)
    t.same(
      result.decisions.map((decision) => [decision.policy.name, decision.allowed, decision.remaining]),
      [
        ['minute', true, 9],
        ['login', false, 0],
      ],
      'the global policy reports its state, uncharged',
    )
  }
  t.equal(store.consume('a', [global]).decisions[0]?.remaining, 8, 'only the admitted request counted')
})

for (const algorithm of ALGORITHM_NAMES) {
  t.test(`${algorithm}: an evicted client comes back with its usage, not a fresh quota`, async (t) => {
    const clock = new FakeClock()
    const store = new MemoryStore({ maxClients: 100, now: clock.now })
    const policies = set('g', { minute: { limit: 5, window: 60, algorithm } })
    while (store.consume('attacker', [policies]).allowed) clock.advance(10)
    const before = store.consume('attacker', [policies]).decisions[0]?.retryAfterMs as number
    for (let i = 0; i < 2000; i++) store.consume(`client-${i}`, [policies])
    t.equal(store.stats()[0]?.clients, 100)
    const after = store.consume('attacker', [policies])
    t.equal(after.allowed, false, 'still refused')
    t.ok((after.decisions[0]?.retryAfterMs as number) >= before, 'for at least as long as before')
    clock.advance(after.decisions[0]?.retryAfterMs as number)
    clock.advance(60_000)
    t.equal(store.consume('attacker', [policies]).allowed, true, 'until its window ends')
  })
}

t.test('idle clients are released a few at a time, without a sweep', async (t) => {
  const clock = new FakeClock()
  const store = new MemoryStore({ now: clock.now })
  const policies = set('g', { second: { limit: 5, window: 1 } })
  for (let i = 0; i < 100; i++) store.consume(`client-${i}`, [policies])
  t.equal(store.stats()[0]?.clients, 100)
  clock.advance(10_000)
  store.consume('late', [policies])
  t.equal(store.stats()[0]?.clients, 99, 'one request released two idle clients and added one')
  for (let i = 0; i < 60; i++) store.consume('late', [policies])
  t.equal(store.stats()[0]?.clients, 1, 'idle clients drained as requests arrived')
})

t.test('memory grows with clients up to maxClients and no further', async (t) => {
  const clock = new FakeClock()
  const store = new MemoryStore({ maxClients: 5000, now: clock.now })
  const policies = set('g', { minute: { limit: 60, window: 60 }, hour: { limit: 1000, window: 3600 } })
  store.consume('one', [policies])
  const small = store.stats()[0]?.bytes as number
  for (let i = 0; i < 20_000; i++) store.consume(`client-${i}`, [policies])
  const stats = store.stats()[0]
  t.equal(stats?.clients, 5000)
  t.ok((stats?.bytes as number) > small)
  // 9 doubles (idle time, then quiet time + 3 fields per sliding-window policy) and 2 links per client, plus the sketch.
  t.ok((stats?.bytes as number) <= 5000 * (9 * 8 + 8) * 2 + 4 * 1024 * 2 * 2 * 8, `bounded (${stats?.bytes} bytes)`)
  store.close()
  t.same(store.stats(), [])
})

t.test('past one slab (16,384 clients) every client keeps its own count, and the size stays bounded', async (t) => {
  const clock = new FakeClock()
  const store = new MemoryStore({ maxClients: 40_000, now: clock.now })
  const policies = set('g', { minute: { limit: 60, window: 60 }, hour: { limit: 1000, window: 3600 } })
  // Client i makes (i % 3) + 1 requests, interleaved with the others, so a slot mix-up shows.
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 40_000; i++) if (i % 3 >= round) store.consume(`client-${i}`, [policies])
  }
  const wrong: string[] = []
  for (let i = 0; i < 40_000; i += 997) {
    const remaining = store.consume(`client-${i}`, [policies]).decisions[0]?.remaining
    if (remaining !== 60 - (i % 3) - 2) wrong.push(`client-${i}: ${remaining}`)
  }
  t.same(wrong, [], 'each client sees exactly its own requests')
  const stats = store.stats()[0]
  t.equal(stats?.clients, 40_000)
  t.ok(
    (stats?.bytes as number) <= 40_000 * (9 * 8 + 8) + 16_384 * 9 * 8,
    `slabs and links only (${stats?.bytes} bytes)`,
  )
  clock.advance(7_200_000)
  for (let i = 0; i < 25_000; i++) store.consume('late', [policies])
  t.equal(store.stats()[0]?.clients, 1, 'every idle client released, from every slab and shard')
})

t.test('near-limit is decided by the store, once per window per client', async (t) => {
  const clock = new FakeClock()
  const store = new MemoryStore({ now: clock.now })
  const policies: PolicySet = {
    scope: 'g',
    policies: [
      compilePolicy(
        validate,
        'p',
        'p',
        { limit: 10, window: 60, algorithm: 'fixed-window' },
        { ...defaults, nearLimit: 0.5 },
      ),
    ],
  }
  const flags: boolean[] = []
  for (let i = 0; i < 10; i++) flags.push(store.consume('a', [policies]).decisions[0]?.nearLimit as boolean)
  t.same(flags.map((flag, index) => (flag ? index + 1 : 0)).filter(Boolean), [5])
})

t.test("a clock stepping back (NTP) resets nothing: the store's time never runs backwards", async (t) => {
  const clock = new FakeClock()
  const store = new MemoryStore({ now: clock.now })
  const policies = set('g', { minute: { limit: 2, window: 60, algorithm: 'fixed-window' } })
  clock.advance(59_000)
  store.consume('a', [policies])
  store.consume('a', [policies])
  clock.advance(-120_000)
  const result = store.consume('a', [policies])
  t.equal(result.allowed, false, 'still refused after the clock went back two minutes')
  t.equal(result.now, clock.time + 120_000)
})

for (const algorithm of ALGORITHM_NAMES) {
  t.test(`${algorithm}: a limit of 0 refuses everything, for a window at a time`, async (t) => {
    const store = new MemoryStore({ now: new FakeClock().now })
    const closed = set('g', { closed: { limit: 0, window: 30, algorithm } })
    for (let i = 0; i < 3; i++) {
      const decision = store.consume('a', [closed]).decisions[0]
      t.match(decision, { allowed: false, remaining: 0, retryAfterMs: 30_000, resetMs: 30_000 })
    }
  })
}

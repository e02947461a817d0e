import type { AddressInfo } from 'node:net'
import { type StoreStateEvent, storeStateChannel } from '@rampart/rate-limit'
import t from 'tap'
import { EventLoopLag } from '../../src/event-loop.js'
import { FaultProxy } from '../../src/fault-proxy.js'
import { LoadGenerator, type LoadRecord, summarise } from '../../src/load.js'
import { sessionCookieOf, suiteMix } from '../../src/request-mix.js'
import { writeResult } from '../../src/results.js'
import { countKeys, deleteKeys, REDIS_URL, randomPrefix, redisAdmin } from '../../src/services.js'
import { buildSuiteApp } from '../../src/suite-app.js'

// Redis cut under load, through a TCP proxy: the whole Phase 3 preset with every Redis-backed
// store on it (rate limit, DDoS bans, signature nonces, sessions, the JWT denylist, health).
// No 500 from any plugin, rate limiting follows its failure policy (fail-open through the
// insurance limiter, fail-closed 503 on the login policy), the fail-closed stores answer 503,
// shared limiting resumes within 2 s of Redis coming back, no unhandled rejection, and no
// backlog of commands replayed when the connection comes back.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const PREFIX = randomPrefix('cut')
const admin = redisAdmin()
t.teardown(async () => {
  await deleteKeys(admin, PREFIX)
  admin.disconnect()
})

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => {
  process.off('unhandledRejection', onUnhandled)
})

const states: (StoreStateEvent & { at: number })[] = []
t.teardown(storeStateChannel.subscribe((event: StoreStateEvent) => states.push({ ...event, at: Date.now() })))

/** Commands a client sends when it (re)connects: not a replay of requests made during the outage. */
const HANDSHAKE = new Set(['INFO', 'CLIENT', 'SELECT', 'HELLO', 'AUTH', 'SCRIPT', 'READONLY'])
/** The documented fail-closed answers while Redis is away. */
const FAIL_CLOSED_CODES = new Set([
  'RAMPART_RATE_LIMIT_STORE_UNAVAILABLE',
  'RAMPART_AUTH_UNAVAILABLE',
  'RAMPART_SIGNATURE_UNAVAILABLE',
  'RAMPART_SESSION_UNAVAILABLE',
])
const PER_MINUTE = 40

t.test('Redis cut under load', async (t) => {
  const proxy = await FaultProxy.forUrl(REDIS_URL, { resp: true })
  t.teardown(() => proxy.close())
  const built = await buildSuiteApp({
    redisUrl: proxy.url(REDIS_URL),
    prefix: PREFIX,
    perMinute: PER_MINUTE,
    commandTimeout: 250,
    rateLimitRedis: { timeout: 50, breakerFailures: 5, breakerCooldown: 500 },
    audit: false,
  })
  const { app, secrets } = built
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const load = new LoadGenerator(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, 16)
  t.teardown(() => load.close())

  const sessionCookie = await sessionCookieOf(built)
  t.ok(sessionCookie.startsWith('sid='), 'a session on Redis')
  const mix = suiteMix({ secrets, token: app.rampartJwt.sign({ sub: 'alice' }), sessionCookie })

  /** One client asking for twice its per-minute quota, sequentially. */
  async function greedy(client: string, count: number): Promise<LoadRecord[]> {
    const records: LoadRecord[] = []
    for (let i = 0; i < count; i++) {
      records.push(
        await load.send({ kind: 'greedy', method: 'GET', path: '/api/test', headers: { 'x-forwarded-for': client } }),
      )
    }
    return records
  }

  // Cycle A: Redis cut under load; restored with the load stopped, to see what the clients replay.
  const CONCURRENCY = 6
  const lag = new EventLoopLag()
  const startA = Date.now()
  load.start(CONCURRENCY, mix)
  await sleep(1500)
  const cutA = Date.now()
  lag.start()
  proxy.cut()
  const greedyDuringCut = await greedy('198.51.100.7', PER_MINUTE * 2)
  await sleep(Math.max(0, 2500 - (Date.now() - cutA)))
  await load.stop()
  const endCutA = Date.now()
  const lagDuringCut = lag.stop()
  await sleep(300)
  proxy.census.reset()
  proxy.restore()
  await sleep(2000)
  const replayedCommands = proxy.census.snapshot()

  // Cycle B: cut and restored under load: how long until shared limiting resumes.
  load.start(CONCURRENCY, mix)
  await sleep(500)
  const cutB = Date.now()
  proxy.cut()
  await sleep(2500)
  const restoreB = Date.now()
  lag.start()
  proxy.restore()
  await sleep(2500)
  const lagAfterRestore = lag.stop()
  await sleep(1000)
  await load.stop()
  const endB = Date.now()

  const closedAfterB = states.find((event) => event.at >= restoreB && event.state === 'closed')
  const recoveryMs = closedAfterB === undefined ? undefined : closedAfterB.at - restoreB
  const afterRecovery = await greedy('198.51.100.99', 3)
  const rateLimitKeys = await countKeys(admin, `${PREFIX}rl:`)

  const all = load.records
  const baseline = summarise(load.between(startA, cutA))
  const duringCut = summarise([...load.between(cutA, endCutA), ...load.between(cutB, restoreB)])
  const afterRestore = summarise(load.between(restoreB, endB))
  const greedyAdmitted = greedyDuringCut.filter((record) => record.status === 200).length
  const CIRCUIT_OPEN = 'RAMPART_CIRCUIT_BREAKER_OPEN'
  const fiveHundreds = all.filter(
    (record) => record.status >= 500 && !FAIL_CLOSED_CODES.has(record.code ?? '') && record.code !== CIRCUIT_OPEN,
  )
  const failClosed = all.filter((record) => FAIL_CLOSED_CODES.has(record.code ?? ''))
  // found-5 (fixed): the fail-closed 503s of other plugins are no outcome of the route, so no
  // breaker opens on them and stays open after Redis is back.
  const circuitOpen = all.filter((record) => record.code === CIRCUIT_OPEN)
  const circuitOpenAfterRestore = load.between(restoreB + 1000, endB).filter((record) => record.code === CIRCUIT_OPEN)
  const withoutRetryAfter: Record<string, number> = {}
  for (const record of failClosed) {
    if (record.retryAfter === undefined)
      withoutRetryAfter[record.code as string] = (withoutRetryAfter[record.code as string] ?? 0) + 1
  }
  const replayed = Object.entries(replayedCommands).filter(([name]) => !HANDSHAKE.has(name))
  const replayedTotal = replayed.reduce((sum, [, count]) => sum + count, 0)

  writeResult('fault-redis-cut', {
    perMinute: PER_MINUTE,
    baseline,
    duringCut,
    afterRestore,
    greedy: { asked: greedyDuringCut.length, admitted: greedyAdmitted, insuranceLimit: PER_MINUTE },
    recoveryMs,
    eventLoopLag: { duringCut: lagDuringCut, afterRestore: lagAfterRestore },
    breakerTransitions: states.map((event) => ({ state: event.state, reason: event.reason, atMs: event.at - startA })),
    replayedCommandsAfterRestore: replayedCommands,
    failClosedAnswers: failClosed.length,
    failClosedWithoutRetryAfter: withoutRetryAfter,
    circuitOpenAnswers: {
      total: circuitOpen.length,
      from1sAfterRestore: circuitOpenAfterRestore.length,
      kinds: summarise(circuitOpen).byKind,
    },
    unhandledRejections: unhandled.length,
    rateLimitKeys,
  })

  t.equal(
    all.filter((record) => record.status === 0).length,
    0,
    'every request was answered (no reset, no client timeout)',
  )
  t.same(
    fiveHundreds.map((record) => `${record.kind} ${record.status} ${record.code}`),
    [],
    "no 5xx but the documented fail-closed 503s (and the circuit breaker's, below)",
  )
  t.same(
    summarise(circuitOpenAfterRestore).byKind,
    {},
    'a second after Redis is back, no route is held open by the circuit breaker',
  )
  t.same(withoutRetryAfter, {}, 'every fail-closed 503 says when to retry (Retry-After)')
  t.ok(
    failClosed.every((record) => record.status === 503 && /problem\+json/.test(record.contentType ?? '')),
    'fail-closed answers are 503 problem+json',
  )
  t.ok(baseline.requests > 50, `baseline load: ${baseline.requests} requests`)
  t.ok(duringCut.requests > 50, `load during the cuts: ${duringCut.requests} requests`)
  const publicDuringCut = duringCut.byKind.public ?? {}
  t.same(
    Object.keys(publicDuringCut).filter((status) => status !== '200' && status !== '429'),
    [],
    `public route during the cut: 200 or 429 only (${JSON.stringify(publicDuringCut)})`,
  )
  t.ok((publicDuringCut['200'] ?? 0) > 0, 'fail-open: the public route is served during the cut')
  t.ok(
    greedyAdmitted > 0 && greedyAdmitted <= PER_MINUTE,
    `the insurance limiter enforced the limit: ${greedyAdmitted} of ${greedyDuringCut.length} admitted (limit ${PER_MINUTE})`,
  )
  const loginDuringCut = duringCut.byKind.login ?? {}
  t.ok(
    (loginDuringCut['503'] ?? 0) > 0,
    `fail-closed login policy answers 503 during the cut (${JSON.stringify(loginDuringCut)})`,
  )
  // 2 s of the process's own time: a late event loop (a saturated machine) runs every timer late.
  t.ok(
    recoveryMs !== undefined && recoveryMs <= 2000 + lagAfterRestore.maxMs,
    `shared limiting resumed ${recoveryMs} ms after Redis came back (event loop up to ${lagAfterRestore.maxMs} ms late)`,
  )
  t.ok(rateLimitKeys > 0, 'counts are in Redis')
  t.ok(
    afterRecovery.every((record) => record.status === 200),
    'after recovery the public route is served from Redis counts',
  )
  // Deadlines: 50 ms (rate limit) + 250 ms for each of the DDoS lookup, the denylist and the session.
  t.ok(
    duringCut.latencyMs.max <= 800 + 250 + lagDuringCut.maxMs,
    `no request held past its deadlines during the cut (max ${duringCut.latencyMs.max} ms, event loop up to ${lagDuringCut.maxMs} ms late)`,
  )
  t.same(unhandled, [], 'no unhandled rejection')
  t.same(replayed, [], `no command made during the outage is sent when Redis comes back (replayed: ${replayedTotal})`)
})

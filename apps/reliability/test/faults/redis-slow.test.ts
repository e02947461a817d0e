import type { AddressInfo } from 'node:net'
import t from 'tap'
import { EventLoopLag } from '../../src/event-loop.js'
import { FaultProxy } from '../../src/fault-proxy.js'
import { LoadGenerator, summarise } from '../../src/load.js'
import { sessionCookieOf, suiteMix } from '../../src/request-mix.js'
import { writeResult } from '../../src/results.js'
import { deleteKeys, REDIS_URL, randomPrefix, redisAdmin } from '../../src/services.js'
import { buildSuiteApp } from '../../src/suite-app.js'

// Redis slow: 500 ms added to every reply by the proxy. Each store has its deadline (the rate
// limiter 50 ms, the stores on @rampart/redis 100 ms here): no request waits for the slow Redis
// beyond the deadlines of the stores it asks, nothing fails with a 500, and when Redis is fast
// again everything is served from it. The circuit breaker is off here: it would answer most of
// these requests itself (found-5) and hide the stores' deadlines.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const PREFIX = randomPrefix('slow')
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

const DELAY_MS = 500
const RATE_LIMIT_DEADLINE = 50
const COMMAND_TIMEOUT = 100
/**
 * The Redis calls a request of each kind can wait on, in sequence: the rate limiter, the DDoS
 * lookup (at most once a second per client), then the route's own store. Their deadlines add up.
 */
const DEADLINES: Record<string, number> = {
  public: RATE_LIMIT_DEADLINE + COMMAND_TIMEOUT,
  login: RATE_LIMIT_DEADLINE + COMMAND_TIMEOUT,
  'api-key': RATE_LIMIT_DEADLINE + COMMAND_TIMEOUT,
  jwt: RATE_LIMIT_DEADLINE + 2 * COMMAND_TIMEOUT,
  signed: RATE_LIMIT_DEADLINE + 2 * COMMAND_TIMEOUT,
  // the session is read in onRequest and its activity may be written in onSend
  session: RATE_LIMIT_DEADLINE + 3 * COMMAND_TIMEOUT,
}
/** Scheduling slack on top of the deadlines and the measured event-loop lag. */
const SLACK_MS = 150

t.test(`Redis slow (${DELAY_MS} ms per reply)`, async (t) => {
  const proxy = await FaultProxy.forUrl(REDIS_URL, { resp: true })
  t.teardown(() => proxy.close())
  const suite = await buildSuiteApp({
    redisUrl: proxy.url(REDIS_URL),
    prefix: PREFIX,
    commandTimeout: COMMAND_TIMEOUT,
    rateLimitRedis: { timeout: RATE_LIMIT_DEADLINE, breakerFailures: 5, breakerCooldown: 500 },
    circuitBreaker: false,
    audit: false,
  })
  const { app, secrets } = suite
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const load = new LoadGenerator(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, 8)
  t.teardown(() => load.close())
  const mix = suiteMix({
    secrets,
    token: app.rampartJwt.sign({ sub: 'alice' }),
    sessionCookie: await sessionCookieOf(suite),
  })
  const lag = new EventLoopLag()

  load.start(6, mix)
  const startBaseline = Date.now()
  await sleep(2000)
  const startSlow = Date.now()
  proxy.delayMs = DELAY_MS
  lag.start()
  await sleep(4000)
  const lagSlow = lag.stop()
  const endSlow = Date.now()
  proxy.delayMs = 0
  await sleep(3000)
  await load.stop()
  const end = Date.now()

  const baseline = summarise(load.between(startBaseline, startSlow))
  // The first second after the delay is lifted still has slow replies in flight.
  const slow = summarise(load.between(startSlow, endSlow))
  const after = summarise(load.between(endSlow + 1500, end))
  const byKind: Record<string, ReturnType<typeof summarise>> = {}
  for (const kind of Object.keys(DEADLINES)) {
    byKind[kind] = summarise(load.between(startSlow, endSlow).filter((record) => record.kind === kind))
  }
  writeResult('fault-redis-slow', {
    delayMs: DELAY_MS,
    deadlines: { rateLimit: RATE_LIMIT_DEADLINE, commandTimeout: COMMAND_TIMEOUT, perKind: DEADLINES },
    baseline,
    slow,
    slowByKind: byKind,
    after,
    eventLoopLagDuringSlow: lagSlow,
    unhandledRejections: unhandled.length,
  })

  t.equal(load.records.filter((record) => record.status === 0).length, 0, 'every request was answered')
  t.same(
    load.records
      .filter((record) => record.status >= 500 && record.status !== 503)
      .map((record) => `${record.kind} ${record.status}`),
    [],
    'no 5xx but fail-closed 503s',
  )
  t.ok(slow.requests > 50, `${slow.requests} requests while Redis was slow`)
  for (const [kind, deadline] of Object.entries(DEADLINES)) {
    const figures = byKind[kind]
    if (figures === undefined || figures.requests === 0) continue
    const bound = deadline + lagSlow.maxMs + SLACK_MS
    t.ok(
      figures.latencyMs.max <= bound,
      `${kind}: slowest ${figures.latencyMs.max} ms (p99 ${figures.latencyMs.p99}) with ${DELAY_MS} ms Redis, within its deadlines ${deadline} ms (+ ${lagSlow.maxMs} ms event-loop lag + ${SLACK_MS} ms)`,
    )
  }
  t.same(
    Object.keys(byKind.public?.byKind.public ?? {}).filter((status) => status !== '200' && status !== '429'),
    [],
    'the public route is served (fail-open) while Redis is slow',
  )
  const afterPublic = after.byKind.public ?? {}
  t.ok(
    (afterPublic['200'] ?? 0) > 0 && Object.keys(afterPublic).every((status) => status === '200'),
    'fast again: served',
  )
  // A deadline of 100 ms can still be missed now and then on a saturated machine (found-7): most, not all.
  for (const kind of ['jwt', 'session', 'signed', 'api-key']) {
    const statuses = after.byKind[kind] ?? {}
    const served = statuses['200'] ?? 0
    const total = Object.values(statuses).reduce((sum, count) => sum + count, 0)
    t.ok(
      total > 0 &&
        served >= total * 0.9 &&
        Object.keys(statuses).every((status) => status === '200' || status === '503'),
      `fast again: ${kind} served from Redis (${JSON.stringify(statuses)})`,
    )
  }
  t.same(unhandled, [], 'no unhandled rejection')
})

import { healthChecks } from '@rampart/core'
import Fastify, { type FastifyRequest } from 'fastify'
import t from 'tap'
import rampartDdos, { type SheddingEvent, type SheddingOptions, sheddingChannel } from '../src/index.js'
import { blockEventLoop, waitFor } from './fixtures/wait.js'

// Global load shedding from real signals: an event loop the test blocks in a bounded busy loop,
// and heap thresholds set below what the process uses. Anonymous requests go first, then
// everyone; /health never.

const events: SheddingEvent[] = []
t.teardown(sheddingChannel.subscribe((event) => events.push(event)))
t.beforeEach(() => {
  events.length = 0
})

/** Stands in for @rampart/auth: `x-user` makes the request authenticated. */
function identify(request: FastifyRequest): void {
  const user = request.headers['x-user']
  request.identity = typeof user === 'string' ? { id: user, kind: 'user', scopes: [] } : null
}

async function build(shedding: SheddingOptions, identifyFirst = false) {
  const app = Fastify()
  t.teardown(() => app.close())
  if (identifyFirst) app.addHook('onRequest', async (request) => identify(request))
  await app.register(rampartDdos, { rate: false, surge: false, maxInFlight: false, shedding })
  // Registered after the plugin, like an auth plugin registered later: the default preParsing
  // hook still sees the identity.
  if (!identifyFirst) app.addHook('onRequest', async (request) => identify(request))
  app.get('/api', async () => ({ ok: true }))
  app.post('/api', async (request) => ({ received: request.body }))
  app.get('/health', async () => ({ status: 'ok' }))
  app.get('/health/detailed', async () => ({ status: 'ok' }))
  return app
}

const anonymous = { url: '/api' }
const user = { url: '/api', headers: { 'x-user': 'alice' } }

/** Heap thresholds every process is above: shedding starts at the first sample and never stops. */
const HEAP_ALWAYS = { shed: 1000, shedAll: false as const, recover: 500 }

t.test(
  'level 1 (heap): anonymous requests get 503 with Retry-After, authenticated ones pass, /health always',
  async (t) => {
    const app = await build({
      sampleIntervalMs: 20,
      eventLoopDelay: false,
      eventLoopUtilization: false,
      heapUsed: HEAP_ALWAYS,
    })
    await app.ready()
    await waitFor(() => app.rampartDdos.status().shedding.level === 1, 'shedding')

    const shed = await app.inject(anonymous)
    t.equal(shed.statusCode, 503)
    t.match(shed.headers['content-type'], /^application\/problem\+json/)
    t.equal(shed.json().code, 'RAMPART_DDOS_OVERLOADED')
    t.equal(shed.headers['retry-after'], '5')
    t.equal((await app.inject({ method: 'POST', url: '/api', payload: { a: 1 } })).statusCode, 503, 'before the body')
    t.equal((await app.inject(user)).statusCode, 200, 'authenticated requests pass at level 1')
    t.equal((await app.inject({ url: '/health' })).statusCode, 200, '/health is never shed')
    t.equal((await app.inject({ url: '/health/detailed' })).statusCode, 200, 'nor what is under it')

    t.match(events[0], { active: true, level: 1, reason: 'heap-used' })
    t.ok((events[0]?.heapUsedBytes ?? 0) > 1000)
    const status = app.rampartDdos.status().shedding
    t.match(status, { enabled: true, active: true, level: 1, reason: 'heap-used' })
    const health = await healthChecks(app).get('ddos')?.()
    t.equal(health?.status, 'degraded', 'shedding is reported as degraded')
    t.equal(health?.detail?.sheddingLevel, 1)
  },
)

t.test('level 2 (heap above shedAll): every request is shed, authenticated too; /health still passes', async (t) => {
  const app = await build({
    sampleIntervalMs: 20,
    eventLoopDelay: false,
    eventLoopUtilization: false,
    heapUsed: { shed: 1000, shedAll: 2000, recover: 500 },
  })
  await app.ready()
  await waitFor(() => app.rampartDdos.status().shedding.level === 2, 'shedding everyone')
  t.equal((await app.inject(anonymous)).statusCode, 503)
  const authenticated = await app.inject(user)
  t.equal(authenticated.statusCode, 503)
  t.equal(authenticated.json().code, 'RAMPART_DDOS_OVERLOADED')
  t.equal((await app.inject({ url: '/health' })).statusCode, 200)
  t.match(events[0], { active: true, level: 2, reason: 'heap-used' })
})

t.test('a blocked event loop starts shedding anonymous traffic, and shedding stops once it recovers', async (t) => {
  const app = await build({
    sampleIntervalMs: 1000,
    eventLoopDelay: { shed: 150, shedAll: false, recover: 100 },
    eventLoopUtilization: false,
    heapUsed: false,
    retryAfterMs: 2500,
  })
  await app.ready()
  t.equal((await app.inject(anonymous)).statusCode, 200, 'nothing shed at first')
  // Shed requests while level 1 holds. A block that straddles a sample can be seen as less than
  // its length, and on a loaded machine a sample may end the level before the requests run (the
  // event count tells): block again in either case, a bounded number of times.
  let responses: Awaited<ReturnType<typeof app.inject>>[] = []
  for (let attempt = 0; attempt < 5 && responses.length === 0; attempt++) {
    await waitFor(() => app.rampartDdos.status().shedding.level === 0, 'level 0 before blocking', 20_000)
    blockEventLoop(300)
    const deadline = Date.now() + 2500
    while (app.rampartDdos.status().shedding.level === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    if (app.rampartDdos.status().shedding.level !== 1) continue
    const seen = events.length
    const batch = await Promise.all([app.inject(anonymous), app.inject(user), app.inject({ url: '/health' })])
    if (events.length === seen) responses = batch
  }
  t.equal(responses.length, 3, 'requests answered while shedding after the loop was blocked')
  const [shed, authenticated, health] = responses
  if (shed === undefined || authenticated === undefined || health === undefined) return
  t.match(events[0], { active: true, level: 1, reason: 'event-loop-delay' })
  t.ok((events[0]?.eventLoopDelayMs ?? 0) >= 150, `delay seen: ${events[0]?.eventLoopDelayMs}`)
  t.equal(shed.statusCode, 503, 'anonymous shed')
  t.equal(shed.headers['retry-after'], '3')
  t.equal(authenticated.statusCode, 200, 'authenticated served')
  t.equal(health.statusCode, 200, '/health served')

  await waitFor(() => app.rampartDdos.status().shedding.level === 0, 'recovery', 20_000)
  t.match(events.at(-1), { active: false, level: 0, reason: 'recovered' })
  t.equal((await app.inject(anonymous)).statusCode, 200, 'anonymous traffic served again')
})

t.test('event-loop utilisation starts shedding too', async (t) => {
  const app = await build({
    sampleIntervalMs: 100,
    eventLoopDelay: false,
    eventLoopUtilization: { shed: 0.8, recover: 0.5 },
    heapUsed: false,
  })
  await app.ready()
  for (let attempt = 0; attempt < 5 && events.length === 0; attempt++) {
    blockEventLoop(500)
    const deadline = Date.now() + 1000
    while (events.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  t.match(events[0], { active: true, level: 1, reason: 'event-loop-utilization' })
  t.ok((events[0]?.utilization ?? 0) >= 0.8)
  await waitFor(() => app.rampartDdos.status().shedding.level === 0, 'recovery', 20_000)
})

t.test('hook: onRequest sheds there, with the identity of an earlier onRequest hook', async (t) => {
  const app = await build(
    {
      hook: 'onRequest',
      sampleIntervalMs: 20,
      eventLoopDelay: false,
      eventLoopUtilization: false,
      heapUsed: HEAP_ALWAYS,
    },
    true,
  )
  await app.ready()
  await waitFor(() => app.rampartDdos.status().shedding.level === 1, 'shedding')
  t.equal((await app.inject(anonymous)).statusCode, 503)
  t.equal((await app.inject(user)).statusCode, 200)
})

t.test('hook: preHandler sheds after authentication that runs in preHandler', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartDdos, {
    rate: false,
    surge: false,
    shedding: {
      hook: 'preHandler',
      sampleIntervalMs: 20,
      eventLoopDelay: false,
      eventLoopUtilization: false,
      heapUsed: HEAP_ALWAYS,
    },
  })
  app.addHook('preValidation', async (request) => identify(request))
  app.get('/api', async () => ({ ok: true }))
  await app.ready()
  await waitFor(() => app.rampartDdos.status().shedding.level === 1, 'shedding')
  t.equal((await app.inject(anonymous)).statusCode, 503)
  t.equal((await app.inject(user)).statusCode, 200)
})

t.test('shedding: false samples nothing; exempt paths and routes opted out are never shed', async (t) => {
  const off = Fastify()
  t.teardown(() => off.close())
  await off.register(rampartDdos, { shedding: false })
  off.get('/api', async () => ({ ok: true }))
  await off.ready()
  t.same(off.rampartDdos.status().shedding, {
    enabled: false,
    active: false,
    level: 0,
    reason: 'recovered',
    since: 0,
    eventLoopDelayMs: 0,
    utilization: 0,
    heapUsedBytes: 0,
  })
  t.equal((await healthChecks(off).get('ddos')?.())?.status, 'healthy')

  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartDdos, {
    exemptPaths: ['/status', '/ping'],
    shedding: {
      sampleIntervalMs: 20,
      eventLoopDelay: false,
      eventLoopUtilization: false,
      heapUsed: { ...HEAP_ALWAYS, shedAll: 2000 },
    },
  })
  app.get('/status', async () => 'ok')
  app.get('/health', async () => 'ok')
  app.get('/open', { config: { rampart: { ddos: false } } }, async () => 'ok')
  await app.ready()
  await waitFor(() => app.rampartDdos.status().shedding.level === 2, 'shedding everyone')
  t.equal((await app.inject('/status')).statusCode, 200)
  t.equal((await app.inject('/status/')).statusCode, 404, 'normalised: exempt, so the router answers (no such route)')
  t.equal((await app.inject('/open')).statusCode, 200, 'config.rampart.ddos: false')
  t.equal((await app.inject('/health')).statusCode, 503, '/health is shed once exemptPaths no longer names it')
  t.equal((await app.inject('/nowhere')).statusCode, 503, 'unknown routes are shed')
})

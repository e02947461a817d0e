import { healthChecks } from '@rampart/core'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import rampartAudit, {
  type AuditOptions,
  type DroppedEvent,
  droppedChannel,
  type SinkFailedEvent,
  sinkFailedChannel,
} from '../src/index.js'
import { eventually } from './fixtures/helpers.js'
import { type TestSchema, testSchema } from './fixtures/postgres.js'
import { TcpProxy } from './fixtures/tcp-proxy.js'

/** An app whose audit sink reaches PostgreSQL only through `proxy`, with one route that records an event. */
async function build(proxy: TcpProxy, db: TestSchema, options: AuditOptions = {}) {
  const app = Fastify()
  await app.register(rampartAudit, {
    sink: {
      type: 'postgres',
      connectionString: proxy.connectionString(),
      schema: db.name,
      connectionTimeout: 1_000,
      queryTimeout: 2_000,
    },
    flushInterval: 10,
    batchSize: 10,
    retry: { minDelay: 50, maxDelay: 200 },
    ...options,
  })
  app.post('/orders/:id', async (request) => {
    app.audit.resourceAccess(request, {
      resourceType: 'order',
      resourceId: (request.params as { id: string }).id,
      action: 'create',
    })
    return { ok: true }
  })
  await app.ready()
  return app
}

async function startProxy(t: Test): Promise<TcpProxy> {
  const proxy = await TcpProxy.start()
  t.teardown(() => proxy.close())
  return proxy
}

async function order(app: Awaited<ReturnType<typeof build>>, id: number): Promise<void> {
  const response = await app.inject({ method: 'POST', url: `/orders/${id}` })
  if (response.statusCode !== 200) throw new Error(`request ${id}: ${response.statusCode}`)
}

t.test('the sink survives a database restart without losing or duplicating an event', async (t) => {
  const db = await testSchema(t)
  const proxy = await startProxy(t)
  const app = await build(proxy, db)
  t.teardown(() => app.close())
  const failures: SinkFailedEvent[] = []
  t.teardown(sinkFailedChannel.subscribe((event) => failures.push(event)))
  const check = healthChecks(app).get('audit')

  for (let i = 0; i < 20; i++) await order(app, i)
  t.ok(await app.audit.flush())
  t.equal(await db.count(), 20, 'before the outage')
  t.ok(proxy.accepted > 0, 'the sink reaches PostgreSQL through the proxy')

  proxy.cut()
  const started = Date.now()
  for (let i = 20; i < 50; i++) await order(app, i)
  t.pass(`30 requests answered 200 during the outage in ${Date.now() - started} ms`)
  await eventually(() => failures.length >= 2, 10_000, 'failed attempts')
  t.match(failures[0], { sink: 'postgres', attempt: 1, error: Error })
  t.equal((await check?.())?.status, 'degraded')
  t.ok(app.audit.stats().buffered > 0, 'events wait in the buffer')
  t.equal(await db.count(), 20, 'nothing reached the database meanwhile')

  const before = proxy.accepted
  proxy.restore()
  await eventually(async () => (await db.count()) === 50, 15_000, 'all 50 events after recovery')
  t.ok(proxy.accepted > before, 'over new connections')
  const rows = await db.rows()
  t.equal(new Set(rows.map((row) => row.id)).size, 50, 'each event once')
  t.same(
    rows.map((row) => Number(row.resource_id)).sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
    'every event, none lost',
  )
  t.match(app.audit.stats(), { recorded: 50, written: 50, buffered: 0, dropped: 0, consecutiveFailures: 0 })
  t.equal((await check?.())?.status, 'healthy')
})

t.test('a database down at start: the app starts, events wait, the table is created on recovery', async (t) => {
  const db = await testSchema(t)
  const proxy = await startProxy(t)
  proxy.cut()
  const app = await build(proxy, db)
  t.teardown(() => app.close())
  for (let i = 0; i < 5; i++) await order(app, i)
  t.equal(app.audit.stats().written, 0)
  proxy.restore()
  await eventually(() => app.audit.stats().written === 5, 15_000, 'the buffered events')
  t.equal(await db.count(), 5)
})

t.test('the buffer is bounded: drops are counted, reported and logged', async (t) => {
  const db = await testSchema(t)
  const proxy = await startProxy(t)
  const app = await build(proxy, db, { maxBuffer: 10 })
  t.teardown(() => app.close())
  const drops: DroppedEvent[] = []
  t.teardown(droppedChannel.subscribe((event) => drops.push(event)))
  const check = healthChecks(app).get('audit')
  proxy.cut()
  for (let i = 0; i < 15; i++) await order(app, i)
  t.equal(drops.length, 5)
  t.ok(drops.every((event) => event.reason === 'buffer-full' && event.sink === 'postgres'))
  t.same(
    drops.map((event) => event.record.resource_id),
    ['10', '11', '12', '13', '14'],
  )
  t.match(app.audit.stats(), { dropped: 5, droppedBy: { 'buffer-full': 5 }, buffered: 10 })
  t.equal((await check?.())?.status, 'down')
  proxy.restore()
  await eventually(async () => (await db.count()) === 10, 15_000, 'the ten kept')
  t.match(app.audit.stats(), { written: 10, dropped: 5 })
})

t.test('shutdown while the database is down waits closeTimeout at most and reports the loss', async (t) => {
  const db = await testSchema(t)
  const proxy = await startProxy(t)
  const app = await build(proxy, db, { closeTimeout: 500 })
  const drops: DroppedEvent[] = []
  t.teardown(droppedChannel.subscribe((event) => drops.push(event)))
  proxy.cut()
  for (let i = 0; i < 3; i++) await order(app, i)
  const started = Date.now()
  await app.close()
  const took = Date.now() - started
  t.ok(took < 10_000, `closed in ${took} ms`)
  t.same(
    drops.map((event) => event.reason),
    ['shutdown', 'shutdown', 'shutdown'],
  )
  t.match(app.audit.stats(), { dropped: 3, droppedBy: { shutdown: 3 } })
})

t.test('shutdown right after the database comes back writes everything', async (t) => {
  const db = await testSchema(t)
  const proxy = await startProxy(t)
  const app = await build(proxy, db, { closeTimeout: 10_000, retry: { minDelay: 5_000, maxDelay: 5_000 } })
  proxy.cut()
  for (let i = 0; i < 7; i++) await order(app, i)
  await eventually(() => app.audit.stats().failures > 0, 10_000, 'a failed attempt')
  proxy.restore()
  // The next background retry is seconds away: close must not wait for it, it writes now.
  await app.close()
  t.equal(await db.count(), 7)
})

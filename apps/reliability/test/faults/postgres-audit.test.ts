import { type DroppedEvent, droppedChannel } from '@rampart/audit'
import t from 'tap'
import { FaultProxy } from '../../src/fault-proxy.js'
import { writeResult } from '../../src/results.js'
import { DATABASE_URL, postgresAdmin, randomSchema } from '../../src/services.js'
import { buildSuiteApp } from '../../src/suite-app.js'

// PostgreSQL down for the audit sink, through a TCP proxy: records are buffered while it is down
// (cut) or frozen (hang), written on recovery with none lost up to the buffer bound; beyond it,
// drops are counted, published and reported by the health check; requests never wait on the
// database and never fail because of it.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const SCHEMA = randomSchema('audit')
const TABLE = 'events'
const MAX_BUFFER = 200
const db = postgresAdmin()
t.teardown(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`)
  await db.end()
})

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => {
  process.off('unhandledRejection', onUnhandled)
})

const dropped: DroppedEvent[] = []
t.teardown(droppedChannel.subscribe((event: DroppedEvent) => dropped.push(event)))

async function rowsWith(prefix: string): Promise<string[]> {
  const result = await db.query<{ action: string }>(
    `SELECT action FROM "${SCHEMA}"."${TABLE}" WHERE action LIKE $1 ORDER BY action`,
    [`${prefix}%`],
  )
  return result.rows.map((row) => row.action)
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number | undefined> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if (await condition()) return Date.now() - started
    await sleep(20)
  }
  return undefined
}

t.test('PostgreSQL down for the audit sink', async (t) => {
  const proxy = await FaultProxy.forUrl(DATABASE_URL)
  t.teardown(() => proxy.close())
  const { app, secrets } = await buildSuiteApp({
    sessions: false,
    audit: {
      sink: {
        type: 'postgres',
        connectionString: proxy.url(DATABASE_URL),
        schema: SCHEMA,
        table: TABLE,
        connectionTimeout: 1000,
        queryTimeout: 1000,
      },
      batchSize: 20,
      flushInterval: 50,
      maxBuffer: MAX_BUFFER,
      retry: { minDelay: 50, maxDelay: 400 },
      capture: { repeatWindow: 0 },
      closeTimeout: 3000,
    },
  })
  let closed = false
  t.teardown(async () => {
    if (!closed) await app.close()
  })
  const health = async () =>
    (
      await app.inject({
        url: '/health/detailed',
        headers: { host: 'api.example.com', authorization: `Bearer ${secrets.metricsToken}` },
      })
    ).json().checks.audit as { status: string; detail: Record<string, unknown> }
  const record = (action: string) => app.audit.record({ eventType: 'reliability', action })
  const refused = async (count: number) => {
    const statuses: number[] = []
    const times: number[] = []
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      const response = await app.inject({
        url: '/api/protected',
        headers: { host: 'api.example.com', authorization: 'Bearer not.a.token' },
        remoteAddress: `198.18.7.${i}`,
      })
      times.push(performance.now() - started)
      statuses.push(response.statusCode)
    }
    return { statuses, slowestMs: Math.round(Math.max(...times)) }
  }

  // Up: written as they come.
  for (let i = 0; i < 20; i++) record(`up-${String(i).padStart(3, '0')}`)
  t.ok(await app.audit.flush(5000), 'written while the database is up')
  t.equal((await rowsWith('up-')).length, 20, '20 rows')

  // Down (connections cut): buffered, requests unaffected.
  proxy.cut()
  for (let i = 0; i < 150; i++) record(`down-${String(i).padStart(3, '0')}`)
  const duringCut = await refused(30)
  await sleep(300)
  const cutStats = app.audit.stats()
  const cutHealth = await health()
  t.same([...new Set(duringCut.statuses)], [401], 'requests are answered as usual (401) while the database is down')
  t.ok(cutStats.buffered >= 150 && cutStats.dropped === 0, `buffered ${cutStats.buffered}, dropped ${cutStats.dropped}`)
  t.equal(cutHealth.status, 'degraded', 'health: degraded while records are kept')

  // Back: the buffer is written in order, nothing lost.
  proxy.restore()
  const flushedAfterMs = await until(() => app.audit.stats().buffered === 0, 15_000)
  t.ok(flushedAfterMs !== undefined, `the buffer was written ${flushedAfterMs} ms after the database came back`)
  const down = await rowsWith('down-')
  t.equal(down.length, 150, 'every record made while down is in the table')
  t.equal(new Set(down).size, 150, 'once each')
  t.equal(app.audit.stats().dropped, 0, 'none dropped')

  // Frozen (connections accepted, never answered): the query timeout bounds each attempt.
  proxy.hang()
  for (let i = 0; i < 50; i++) record(`hang-${String(i).padStart(3, '0')}`)
  const duringHang = await refused(10)
  await sleep(1500)
  const hangStats = app.audit.stats()
  proxy.restore()
  const flushedAfterHangMs = await until(() => app.audit.stats().buffered === 0, 15_000)
  t.equal((await rowsWith('hang-')).length, 50, 'records made while the database hung are written once it answers')
  t.ok(duringHang.slowestMs < 1000, `requests do not wait on a hung database (slowest ${duringHang.slowestMs} ms)`)

  // Down again, past the bound: the newest are dropped, counted, published, reported.
  proxy.cut()
  await sleep(100)
  const droppedBefore = dropped.length
  for (let i = 0; i < 300; i++) record(`over-${String(i).padStart(3, '0')}`)
  await sleep(300)
  const overStats = app.audit.stats()
  const overHealth = await health()
  const publishedDrops = dropped.slice(droppedBefore)
  t.equal(overStats.buffered, MAX_BUFFER, `the buffer holds its bound (${MAX_BUFFER})`)
  t.equal(overStats.dropped, 100, '100 records beyond the bound dropped and counted')
  t.equal(publishedDrops.length, 100, 'each drop published on rampart:audit:dropped')
  t.ok(
    publishedDrops.every((event) => event.reason === 'buffer-full'),
    'reason buffer-full',
  )
  t.equal(overHealth.status, 'down', 'health: down while records are being dropped')
  proxy.restore()
  const flushedAfterOverMs = await until(() => app.audit.stats().buffered === 0, 15_000)
  const over = await rowsWith('over-')
  t.equal(over.length, MAX_BUFFER, `the ${MAX_BUFFER} kept are written`)
  t.same(over.slice(0, 3), ['over-000', 'over-001', 'over-002'], 'the oldest are kept, the newest dropped')

  const total = await db.query<{ count: string; distinct: string }>(
    `SELECT count(*) AS count, count(DISTINCT id) AS distinct FROM "${SCHEMA}"."${TABLE}"`,
  )
  const stats = app.audit.stats()
  t.equal(Number(total.rows[0]?.count), stats.written, 'every record written is in the table once')
  t.equal(Number(total.rows[0]?.distinct), stats.written, 'no duplicates (retried batches included)')
  // 520 records made here and 40 refused requests (one authentication failure each).
  t.equal(stats.written, stats.recorded, 'every record accepted into the buffer was written')
  t.equal(stats.recorded + stats.dropped, 560, 'accepted + dropped = every event: nothing lost silently')

  await app.close()
  closed = true
  writeResult('fault-postgres-audit', {
    maxBuffer: MAX_BUFFER,
    cut: {
      recorded: 150 + 30,
      bufferedAtPeak: cutStats.buffered,
      health: cutHealth.status,
      flushedAfterRestoreMs: flushedAfterMs,
      requestsSlowestMs: duringCut.slowestMs,
      statuses: [...new Set(duringCut.statuses)],
    },
    hang: {
      bufferedAtPeak: hangStats.buffered,
      failures: hangStats.failures,
      flushedAfterRestoreMs: flushedAfterHangMs,
      requestsSlowestMs: duringHang.slowestMs,
    },
    overBound: {
      recorded: 300,
      buffered: overStats.buffered,
      dropped: overStats.dropped,
      published: publishedDrops.length,
      health: overHealth.status,
      flushedAfterRestoreMs: flushedAfterOverMs,
    },
    final: stats,
    unhandledRejections: unhandled.length,
  })
  t.same(unhandled, [], 'no unhandled rejection')
})

import { healthChecks } from '@rampart/core'
import Fastify from 'fastify'
import pg from 'pg'
import t, { type Test } from 'tap'
import rampartAudit, { type AuditOptions, type DroppedEvent, droppedChannel, migrate } from '../src/index.js'
import { DATABASE_URL, testSchema } from './fixtures/postgres.js'

/** A real pool that counts the INSERT statements it runs. */
class CountingPool extends pg.Pool {
  inserts = 0
  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads
  override query(...args: any[]): any {
    const text = typeof args[0] === 'string' ? args[0] : args[0]?.text
    if (typeof text === 'string' && text.startsWith('INSERT')) this.inserts++
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads
    return (super.query as any)(...args)
  }
}

async function build(t: Test, schema: string, options: AuditOptions = {}) {
  const app = Fastify()
  await app.register(rampartAudit, {
    sink: { type: 'postgres', connectionString: DATABASE_URL, schema },
    flushInterval: 10,
    ...options,
  })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

t.test('migrate creates the table and its indexes, idempotently, even when run concurrently', async (t) => {
  const db = await testSchema(t)
  await Promise.all([migrate(db.pool, { schema: db.name }), migrate(db.pool, { schema: db.name })])
  await migrate(db.pool, { schema: db.name })
  const columns = await db.pool.query(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [db.name, 'rampart_audit_events'],
  )
  t.same(
    columns.rows.map((row) => `${row.column_name}:${row.data_type}`),
    [
      'id:uuid',
      'timestamp:timestamp with time zone',
      'event_type:text',
      'user_id:text',
      'ip_address:text',
      'user_agent:text',
      'resource_type:text',
      'resource_id:text',
      'action:text',
      'status:text',
      'details:jsonb',
      'session_id:text',
      'request_id:text',
    ],
  )
  const indexes = await db.pool.query(
    'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
    [db.name],
  )
  t.same(
    indexes.rows.map((row) => row.indexname),
    [
      'rampart_audit_events_event_type_idx',
      'rampart_audit_events_pkey',
      'rampart_audit_events_session_id_idx',
      'rampart_audit_events_timestamp_idx',
      'rampart_audit_events_user_id_idx',
    ],
  )
  t.match(indexes.rows.find((row) => row.indexname.endsWith('user_id_idx'))?.indexdef, /\(user_id, "timestamp"\)/)
})

t.test('a migration error is coded and names the table', async (t) => {
  const db = await testSchema(t)
  await db.pool.query(`CREATE TABLE "${db.name}"."taken" (x int)`)
  await db.pool.query(`CREATE INDEX "taken_timestamp_idx" ON "${db.name}"."taken" (x)`)
  await t.rejects(migrate(db.pool, { schema: db.name, table: 'taken' }), {
    code: 'RAMPART_AUDIT_MIGRATION_FAILED',
    message: new RegExp(`${db.name}\\.taken`),
  })
})

t.test('records reach the table with every field, in batches of batchSize', async (t) => {
  const db = await testSchema(t)
  const pool = new CountingPool({ connectionString: DATABASE_URL, max: 2 })
  t.teardown(() => pool.end())
  const app = Fastify()
  await app.register(rampartAudit, {
    sink: { type: 'postgres', pool, schema: db.name, table: 'audit_log' },
    batchSize: 50,
    flushInterval: 60_000,
  })
  app.get('/users/:id', async (request) => {
    request.identity = { id: 'u-7', kind: 'user', scopes: [] }
    app.audit.resourceAccess(request, {
      resourceType: 'user',
      resourceId: (request.params as { id: string }).id,
      action: 'read',
      details: { fields: ['email'], token: 'never stored', nested: { ok: true } },
    })
    return {}
  })
  await app.inject({ url: '/users/3', remoteAddress: '203.0.113.9', headers: { 'user-agent': 'ua/1' } })
  for (let i = 0; i < 119; i++) app.audit.record({ eventType: 'bulk', resourceId: i })
  t.ok(await app.audit.flush())
  t.equal(pool.inserts, 3, '120 records, batchSize 50: three INSERTs')
  t.equal(await db.count('audit_log'), 120)
  const result = await db.pool.query(`SELECT * FROM "${db.name}"."audit_log" WHERE event_type = 'resource_access'`)
  const [row] = result.rows
  t.match(row, {
    user_id: 'u-7',
    ip_address: '203.0.113.9',
    user_agent: 'ua/1',
    resource_type: 'user',
    resource_id: '3',
    action: 'read',
    status: 'success',
    details: { fields: ['email'], token: '[REDACTED]', nested: { ok: true } },
    session_id: null,
    request_id: 'req-1',
  })
  t.ok(row.timestamp instanceof Date)
  await app.close()
  const still = await pool.query('SELECT 1 AS one')
  t.equal(still.rows[0].one, 1, 'a given pool is not ended by the plugin')
})

t.test('a record PostgreSQL refuses is dropped on its own; the rest of its batch is written', async (t) => {
  const db = await testSchema(t)
  await migrate(db.pool, { schema: db.name })
  await db.pool.query(
    `ALTER TABLE "${db.name}"."rampart_audit_events" ADD CONSTRAINT no_poison CHECK (action IS DISTINCT FROM 'poison')`,
  )
  const app = await build(t, db.name, { flushInterval: 60_000 })
  const drops: DroppedEvent[] = []
  t.teardown(droppedChannel.subscribe((event) => drops.push(event)))
  app.audit.record({ eventType: 'x', action: 'a' })
  const poison = app.audit.record({ eventType: 'x', action: 'poison' })
  app.audit.record({ eventType: 'x', action: 'b' })
  t.ok(await app.audit.flush())
  t.same((await db.rows()).map((row) => row.action).sort(), ['a', 'b'])
  t.match(drops, [{ sink: 'postgres', reason: 'rejected', record: { id: poison.id } }])
  t.match(app.audit.stats(), { written: 2, dropped: 1, droppedBy: { rejected: 1 } })
})

t.test('strings PostgreSQL cannot store (NUL, lone surrogates) do not block a batch', async (t) => {
  const db = await testSchema(t)
  const app = await build(t, db.name)
  app.audit.record({ eventType: 'x', resourceId: 'a\u0000b', details: { text: 'c\u0000d\uD800', 'k\u0000': 1 } })
  t.ok(await app.audit.flush())
  const [row] = await db.rows()
  t.match(row, { resource_id: 'ab', details: { text: 'cd\uFFFD', k: 1 } })
})

t.test('a table dropped under the sink is created again', async (t) => {
  const db = await testSchema(t)
  const app = await build(t, db.name, { retry: { minDelay: 10, maxDelay: 50 } })
  app.audit.record({ eventType: 'before' })
  t.ok(await app.audit.flush())
  await db.pool.query(`DROP TABLE "${db.name}"."rampart_audit_events"`)
  app.audit.record({ eventType: 'after' })
  t.ok(await app.audit.flush(10_000))
  t.same(
    (await db.rows()).map((row) => row.event_type),
    ['after'],
  )
})

t.test('the health check reports the sink', async (t) => {
  const db = await testSchema(t)
  const app = await build(t, db.name)
  const check = healthChecks(app).get('audit')
  t.ok(check)
  app.audit.record({ eventType: 'x' })
  await app.audit.flush()
  t.match(await check?.(), {
    status: 'healthy',
    detail: { sink: 'postgres', buffered: 0, dropped: 0, table: `${db.name}.rampart_audit_events` },
  })
  const detail = JSON.stringify((await check?.())?.detail)
  t.notOk(detail.includes('postgres://'), 'no connection string in the detail')
})

t.test('graceful shutdown writes what is buffered', async (t) => {
  const db = await testSchema(t)
  const app = Fastify()
  await app.register(rampartAudit, {
    sink: { type: 'postgres', connectionString: DATABASE_URL, schema: db.name },
    flushInterval: 60_000,
  })
  await app.ready()
  for (let i = 0; i < 42; i++) app.audit.record({ eventType: 'late', resourceId: i })
  t.equal(await db.count(), 0, 'nothing written before the interval')
  await app.close()
  t.equal(await db.count(), 42)
})

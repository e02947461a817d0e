import { join } from 'node:path'
import Fastify from 'fastify'
import pg from 'pg'
import t from 'tap'
import rampartAudit, {
  type AuditEvent,
  type AuditOptions,
  type AuditRecord,
  type AuditStats,
  type DroppedEvent,
  type SinkOptions,
  type VerifyResult,
  verify,
} from '../src/index.js'
import { tempDir } from './fixtures/helpers.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const file: SinkOptions = { type: 'file', path: 'audit.jsonl', sync: true }
const postgres: SinkOptions = { type: 'postgres', connectionString: 'postgres://db/audit', schema: 'audit' }
const pool = new pg.Pool()
const withPool: SinkOptions = { type: 'postgres', pool, table: 'events' }
// @ts-expect-error a file sink has no connection string
const mixed: SinkOptions = { type: 'file', connectionString: 'postgres://db/audit' }
// @ts-expect-error the sink type is file or postgres
const unknownSink: SinkOptions = { type: 'syslog' }
const options: AuditOptions = {
  sink: file,
  capture: { refusals: { statuses: [403], ignoreSources: ['auth'] }, repeatWindow: 0 },
  sessionId: (request) => request.headers['x-session-id'] as string | undefined,
}
const known: AuditEvent = { eventType: 'admin_action', userId: 42, resourceId: 'x', details: { a: 1 } }
const custom: AuditEvent = { eventType: 'export', status: 'partial' }
// @ts-expect-error eventType is required
const missingType: AuditEvent = { action: 'read' }
// @ts-expect-error details is an object
const badDetails: AuditEvent = { eventType: 'x', details: 'text' }
const reason = (event: DroppedEvent): 'buffer-full' | 'shutdown' | 'closed' | 'rejected' => event.reason
const brokenLine = (result: VerifyResult): number | null => (result.ok ? null : result.line)

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  await app.register(rampartAudit, { ...options, sink: { type: 'file', path: join(await tempDir(t), 'a.jsonl') } })
  const record: AuditRecord = app.audit.record(known)
  const id: string = record.id
  const user: string | null = record.user_id
  app.audit.record(custom)
  const stats: AuditStats = app.audit.stats()
  t.equal(stats.recorded, 2)
  t.equal(user, '42')
  t.ok(id)
  await app.close()
  t.equal(await verify(join(await tempDir(t), 'missing.jsonl')).catch(() => null), null)
  t.ok([postgres, withPool, mixed, unknownSink, missingType, badDetails, reason, brokenLine].every(Boolean))
  await pool.end()
})

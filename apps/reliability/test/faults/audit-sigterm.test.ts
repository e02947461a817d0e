import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { FaultProxy } from '../../src/fault-proxy.js'
import { writeResult } from '../../src/results.js'
import { DATABASE_URL, postgresAdmin, randomSchema } from '../../src/services.js'

// Graceful shutdown: a server process whose audit records are buffered (PostgreSQL down) gets
// SIGTERM. With the database back, every buffered record is written before the process exits;
// with the database still down, the shutdown waits `closeTimeout` at most, then reports what it
// dropped (reason `shutdown`) and exits cleanly.

const SERVER = fileURLToPath(new URL('../../src/audit-server.ts', import.meta.url))
const db = postgresAdmin()
const schemas: string[] = []
t.teardown(async () => {
  for (const schema of schemas) await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await db.end()
})

interface Stats {
  buffered: number
  written: number
  dropped: number
  droppedBy: Record<string, number>
}

function startServer(connection: string, schema: string, closeTimeout: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=rampart-source', SERVER], {
    env: {
      ...process.env,
      AUDIT_CONNECTION: connection,
      AUDIT_SCHEMA: schema,
      AUDIT_CLOSE_TIMEOUT: String(closeTimeout),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return once(child, 'message').then(([message]) => message as T)
}

async function terminate(
  child: ChildProcess,
): Promise<{ code: number | null; final: { closedInMs: number; stats: Stats }; ms: number }> {
  let stdout = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  const started = Date.now()
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const [code] = (await exited) as [number | null]
  const line = stdout.trim().split('\n').at(-1) ?? '{}'
  return { code, final: JSON.parse(line), ms: Date.now() - started }
}

async function rows(schema: string): Promise<number> {
  const result = await db.query<{ count: string }>(`SELECT count(*) AS count FROM "${schema}"."events"`)
  return Number(result.rows[0]?.count)
}

const figures: Record<string, unknown> = {}
t.teardown(() => writeResult('fault-audit-sigterm', figures))

t.test('SIGTERM with the database back: the buffer is flushed before exit', async (t) => {
  const schema = randomSchema('term')
  schemas.push(schema)
  const proxy = await FaultProxy.forUrl(DATABASE_URL)
  t.teardown(() => proxy.close())
  const child = startServer(proxy.url(DATABASE_URL), schema, 5000)
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  t.same(await nextMessage(child), { ready: true }, 'the server is up (and migrated its table)')
  proxy.cut()
  child.send({ record: 100 })
  const { stats } = await nextMessage<{ stats: Stats }>(child)
  t.equal(stats.buffered, 100, '100 records buffered while the database is down')
  proxy.restore()
  const { code, final, ms } = await terminate(child)
  t.equal(code, 0, 'the process exits cleanly')
  t.equal(final.stats.written, 100, 'the shutdown wrote every buffered record')
  t.equal(final.stats.dropped, 0, 'nothing dropped')
  t.equal(await rows(schema), 100, 'all 100 are in the table')
  figures.flushed = { buffered: 100, written: final.stats.written, closedInMs: final.closedInMs, exitMs: ms }
})

t.test('SIGTERM with the database still down: bounded wait, drops reported, clean exit', async (t) => {
  const schema = randomSchema('term')
  schemas.push(schema)
  const proxy = await FaultProxy.forUrl(DATABASE_URL)
  t.teardown(() => proxy.close())
  const closeTimeout = 1500
  const child = startServer(proxy.url(DATABASE_URL), schema, closeTimeout)
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  await nextMessage(child)
  proxy.cut()
  child.send({ record: 40 })
  const { stats } = await nextMessage<{ stats: Stats }>(child)
  t.equal(stats.buffered, 40, '40 records buffered')
  const { code, final } = await terminate(child)
  t.equal(code, 0, 'the process exits cleanly')
  t.equal(final.stats.dropped, 40, 'the 40 it could not write are counted as dropped')
  t.equal(final.stats.droppedBy.shutdown, 40, 'with reason shutdown')
  t.ok(final.closedInMs < closeTimeout + 2000, `closing took ${final.closedInMs} ms (closeTimeout ${closeTimeout} ms)`)
  figures.down = { buffered: 40, dropped: final.stats.dropped, closedInMs: final.closedInMs, closeTimeout }
})

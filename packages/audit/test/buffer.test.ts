import type { FastifyBaseLogger } from 'fastify'
import t from 'tap'
import { AuditBuffer, type BatchWriter, type BufferSettings, type RejectedRecord } from '../src/buffer.js'
import { type DroppedEvent, droppedChannel, type SinkFailedEvent, sinkFailedChannel } from '../src/index.js'
import type { AuditRecord } from '../src/record.js'
import { eventually } from './fixtures/helpers.js'

/** A sink in memory that fails while `down` is set, and refuses records whose action is `poison`. */
class MemoryWriter implements BatchWriter {
  readonly type = 'file' as const
  readonly written: AuditRecord[] = []
  readonly batches: number[] = []
  down = false
  hang = false
  attempts = 0
  closed = false

  async write(batch: readonly AuditRecord[]): Promise<readonly RejectedRecord[]> {
    this.attempts++
    if (this.hang) await new Promise(() => {})
    if (this.down) throw new Error('sink is down')
    this.batches.push(batch.length)
    const rejected: RejectedRecord[] = []
    for (const record of batch) {
      if (record.action === 'poison') rejected.push({ record, error: new Error('bad row') })
      else this.written.push(record)
    }
    return rejected
  }

  async close(): Promise<void> {
    this.closed = true
  }

  describe() {
    return { memory: true }
  }
}

interface LogEntry {
  level: string
  message: string
}

function logger(entries: LogEntry[]): FastifyBaseLogger {
  const log = (level: string) => (_object: unknown, message?: string) => entries.push({ level, message: message ?? '' })
  const instance = {
    level: 'info',
    fatal: log('fatal'),
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    trace: log('trace'),
    silent: () => {},
    child: () => instance,
  }
  return instance as unknown as FastifyBaseLogger
}

let sequence = 0
function record(action = 'act'): AuditRecord {
  sequence++
  return {
    id: `id-${sequence}`,
    timestamp: new Date().toISOString(),
    event_type: 'test',
    user_id: null,
    ip_address: null,
    user_agent: null,
    resource_type: null,
    resource_id: String(sequence),
    action,
    status: 'success',
    details: {},
    session_id: null,
    request_id: null,
  }
}

const SETTINGS: BufferSettings = {
  batchSize: 10,
  flushInterval: 5,
  maxBuffer: 50,
  retry: { minDelay: 5, maxDelay: 20 },
  closeTimeout: 2_000,
}

function setup(settings: Partial<BufferSettings> = {}) {
  const writer = new MemoryWriter()
  const logs: LogEntry[] = []
  const buffer = new AuditBuffer(writer, { ...SETTINGS, ...settings }, logger(logs))
  return { writer, logs, buffer }
}

t.test('a full batch is written at once, in batches of batchSize, in order', async (t) => {
  const { writer, buffer } = setup({ flushInterval: 60_000 })
  const records = Array.from({ length: 25 }, () => record())
  for (const item of records) buffer.push(item)
  // The tenth record started a write; the loop then takes what has arrived, batchSize at a time.
  await eventually(() => writer.written.length === 25, 5_000, 'all batches')
  t.same(writer.batches, [10, 10, 5])
  t.same(
    writer.written.map((item) => item.id),
    records.map((item) => item.id),
  )
  t.match(buffer.stats(), { recorded: 25, written: 25, buffered: 0, dropped: 0 })
})

t.test('a partial batch waits for flushInterval (or flush())', async (t) => {
  const { writer, buffer } = setup({ flushInterval: 60_000 })
  for (let i = 0; i < 5; i++) buffer.push(record())
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(writer.attempts, 0)
  t.equal(buffer.size, 5)
  t.ok(await buffer.flush(1_000))
  t.same(writer.batches, [5])
  const quick = setup({ flushInterval: 5 })
  quick.buffer.push(record())
  await eventually(() => quick.writer.written.length === 1, 5_000, 'the interval')
  t.pass('written after the interval')
})

t.test('a failing sink keeps records, retries with backoff, and writes them in order on recovery', async (t) => {
  const { writer, buffer, logs } = setup()
  const failures: SinkFailedEvent[] = []
  t.teardown(sinkFailedChannel.subscribe((event) => failures.push(event)))
  writer.down = true
  const records = Array.from({ length: 30 }, () => record())
  for (const item of records) buffer.push(item)
  await eventually(() => writer.attempts >= 3, 5_000, 'three attempts')
  t.equal(writer.written.length, 0)
  t.equal(buffer.health().status, 'degraded')
  t.match(failures[0], { sink: 'file', attempt: 1, buffered: 30, error: { message: 'sink is down' } })
  t.ok(failures.every((event) => typeof event.retryIn === 'number' && event.retryIn <= 20))
  t.equal(logs.filter((entry) => entry.level === 'error').length, 1, 'one error log per outage, not one per attempt')
  writer.down = false
  await eventually(() => writer.written.length === 30, 5_000, 'recovery')
  t.same(
    writer.written.map((item) => item.id),
    records.map((item) => item.id),
  )
  t.match(buffer.stats(), { written: 30, buffered: 0, consecutiveFailures: 0, lastError: 'sink is down' })
  t.equal(buffer.health().status, 'healthy')
  t.ok(logs.some((entry) => entry.level === 'info' && /recovered/.test(entry.message)))
})

t.test('beyond maxBuffer new records are dropped, counted and reported', async (t) => {
  const { writer, buffer, logs } = setup({ maxBuffer: 20 })
  const drops: DroppedEvent[] = []
  t.teardown(droppedChannel.subscribe((event) => drops.push(event)))
  writer.down = true
  const records = Array.from({ length: 25 }, () => record())
  const accepted = records.map((item) => buffer.push(item))
  t.same(accepted, [...Array(20).fill(true), ...Array(5).fill(false)])
  t.equal(drops.length, 5)
  t.match(drops[4], { reason: 'buffer-full', dropped: 5, record: { id: records[24]?.id } })
  t.match(buffer.stats(), { recorded: 20, dropped: 5, droppedBy: { 'buffer-full': 5 }, buffered: 20 })
  t.equal(buffer.health().status, 'down')
  t.equal(logs.filter((entry) => /records dropped/.test(entry.message)).length, 1, 'drops are logged, throttled')
  writer.down = false
  t.ok(await buffer.flush(2_000))
  t.same(
    writer.written.map((item) => item.id),
    records.slice(0, 20).map((item) => item.id),
    'the oldest are kept',
  )
})

t.test('records refused for good are dropped with reason "rejected"; the rest of the batch is written', async (t) => {
  const { writer, buffer } = setup()
  const drops: DroppedEvent[] = []
  t.teardown(droppedChannel.subscribe((event) => drops.push(event)))
  buffer.push(record())
  const poison = record('poison')
  buffer.push(poison)
  buffer.push(record())
  t.ok(await buffer.flush(1_000))
  t.equal(writer.written.length, 2)
  t.match(drops, [{ reason: 'rejected', record: { id: poison.id } }])
  t.match(buffer.stats(), { written: 2, dropped: 1, droppedBy: { rejected: 1 } })
})

t.test('close flushes what is buffered, then closes the sink', async (t) => {
  const { writer, buffer } = setup({ flushInterval: 60_000 })
  for (let i = 0; i < 7; i++) buffer.push(record())
  await buffer.close()
  t.equal(writer.written.length, 7)
  t.ok(writer.closed)
  t.notOk(buffer.push(record()), 'closed')
  t.match(buffer.stats(), { dropped: 1, droppedBy: { closed: 1 } })
})

t.test('close waits closeTimeout at most while the sink fails, and reports what it drops', async (t) => {
  const { writer, buffer, logs } = setup({ closeTimeout: 300 })
  const drops: DroppedEvent[] = []
  t.teardown(droppedChannel.subscribe((event) => drops.push(event)))
  writer.down = true
  for (let i = 0; i < 12; i++) buffer.push(record())
  const started = Date.now()
  await buffer.close()
  const took = Date.now() - started
  t.ok(took >= 250 && took < 5_000, `waited ${took} ms`)
  t.ok(writer.attempts >= 2, 'kept retrying during the wait')
  t.equal(drops.length, 12)
  t.ok(drops.every((event) => event.reason === 'shutdown'))
  t.match(buffer.stats(), { buffered: 0, dropped: 12, droppedBy: { shutdown: 12 } })
  t.ok(logs.some((entry) => entry.level === 'error' && /shutdown wait ran out/.test(entry.message)))
  t.ok(writer.closed)
})

t.test('close does not hang on a write that never returns', async (t) => {
  const { writer, buffer } = setup({ closeTimeout: 200 })
  writer.hang = true
  buffer.push(record())
  await buffer.flush(50)
  const started = Date.now()
  await buffer.close()
  t.ok(Date.now() - started < 5_000)
  t.match(buffer.stats(), { droppedBy: { shutdown: 1 } })
})

t.test('flush() gives up after its timeout and the background retry goes on', async (t) => {
  const { writer, buffer } = setup({ retry: { minDelay: 20, maxDelay: 40 } })
  writer.down = true
  buffer.push(record())
  t.equal(await buffer.flush(100), false)
  writer.down = false
  await eventually(() => writer.written.length === 1, 5_000, 'the background retry')
  t.pass('written without another push or flush')
  await buffer.close()
})

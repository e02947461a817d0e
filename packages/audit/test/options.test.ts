import { isAbsolute } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import rampartAudit, { DEFAULTS, resolveOptions } from '../src/index.js'
import type { ResolvedRefusalCapture } from '../src/options.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ sink: { type: 'syslog' } }, /option "sink.type" must be one of "file", "postgres"/],
    [{ sink: { type: 'file', path: '' } }, /option "sink.path" must not be empty/],
    [{ sink: { type: 'file', paht: 'x' } }, /option "sink.paht" is not a known option/],
    [{ sink: { type: 'postgres' } }, /option "sink" of type "postgres" needs exactly one of connectionString and pool/],
    [
      { sink: { type: 'postgres', connectionString: 'mysql://x' } },
      /option "sink.connectionString" must be a postgres/,
    ],
    [{ sink: { type: 'postgres', pool: {} } }, /option "sink.pool" must be a pg.Pool/],
    [
      { sink: { type: 'postgres', connectionString: 'postgres://x/y', schema: 'public"; DROP TABLE x; --' } },
      /option "sink.schema" must match/,
    ],
    [
      { sink: { type: 'postgres', connectionString: 'postgres://x/y', table: 'Audit' } },
      /option "sink.table" must match/,
    ],
    [{ batchSize: 0 }, /option "batchSize" must be >= 1/],
    [{ batchSize: 6000 }, /option "batchSize" must be <= 5000/],
    [{ batchSize: 100, maxBuffer: 50 }, /option "maxBuffer" must be >= 100/],
    [{ retry: { minDelay: 500, maxDelay: 100 } }, /option "retry.maxDelay" must be >= 500/],
    [{ redactKeys: ['ok', 42] }, /option "redactKeys\[1\]" must be a non-empty string/],
    [{ redactKeys: ['--'] }, /option "redactKeys\[0\]" must contain a letter or digit/],
    [{ capture: { refusals: { statuses: [200] } } }, /option "capture.refusals.statuses\[0\]" must be >= 400/],
    [{ capture: { shiled: true } }, /option "capture.shiled" is not a known option/],
    [{ sessionId: 'sid' }, /option "sessionId" must be a function/],
    [{ flushInteval: 10 }, /option "flushInteval" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartAudit, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_AUDIT_INVALID_OPTION', message }, String(message))
  }
})

t.test('a connection string is never echoed in an option error (it may hold a password)', async (t) => {
  t.throws(() => resolveOptions({ sink: { type: 'postgres', connectionString: 'mysql://u:hunter2@h/db' } }), {
    message: /^(?!.*hunter2)/,
  })
})

t.test('defaults: the JSON-lines file, resolved to an absolute path', async (t) => {
  const settings = resolveOptions()
  t.equal(settings.sink.type, 'file')
  t.ok(settings.sink.type === 'file' && isAbsolute(settings.sink.path) && settings.sink.path.endsWith('audit.jsonl'))
  t.equal(settings.batchSize, DEFAULTS.batchSize)
  t.equal(settings.maxBuffer, 10_000)
  t.same([...(settings.capture.refusals as ResolvedRefusalCapture).statuses], [401, 403, 429])
  t.ok(Object.isFrozen(settings))
})

t.test('postgres sink defaults', async (t) => {
  const settings = resolveOptions({ sink: { type: 'postgres', connectionString: 'postgresql://db/audit' } })
  t.match(settings.sink, {
    type: 'postgres',
    schema: 'public',
    table: 'rampart_audit_events',
    migrate: true,
    poolSize: 2,
  })
})

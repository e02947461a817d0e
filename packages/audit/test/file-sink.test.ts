import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import t from 'tap'
import rampartAudit, { canonicalJson, droppedChannel, recordHash, sinkFailedChannel, verify } from '../src/index.js'
import { readLines, tempDir } from './fixtures/helpers.js'

const run = promisify(execFile)
const CLI = fileURLToPath(new URL('../dist/verify-cli.js', import.meta.url))

async function app(path: string) {
  const fastify = Fastify()
  await fastify.register(rampartAudit, { sink: { type: 'file', path }, flushInterval: 10 })
  await fastify.ready()
  return fastify
}

async function writeEvents(path: string, count: number, from = 0): Promise<void> {
  const fastify = await app(path)
  for (let i = from; i < from + count; i++) {
    fastify.audit.adminAction(null, { action: 'grant-role', resourceType: 'user', resourceId: i, details: { i } })
  }
  await fastify.close()
}

async function cli(path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, path])
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

t.test('each line carries the previous hash and its own, over the canonical JSON of the rest', async (t) => {
  const path = join(await tempDir(t), 'audit.jsonl')
  await writeEvents(path, 3)
  const lines = await readLines(path)
  t.equal(lines.length, 3)
  t.equal(lines[0]?.prev_hash, null)
  for (const [index, line] of lines.entries()) {
    const { hash, ...rest } = line
    t.match(hash, /^[0-9a-f]{64}$/)
    t.equal(recordHash(line), hash)
    t.equal(recordHash(rest), hash, 'the hash covers everything but itself')
    if (index > 0) t.equal(line.prev_hash, lines[index - 1]?.hash)
    t.match(line, { event_type: 'admin_action', action: 'grant-role', resource_type: 'user', status: 'success' })
  }
  t.same(
    lines.map((line) => line.resource_id),
    ['0', '1', '2'],
    'in order',
  )
  t.equal(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }] }), '{"a":[{"c":"x","d":null}],"b":1}')
})

t.test('the chain continues across restarts', async (t) => {
  const path = join(await tempDir(t), 'audit.jsonl')
  await writeEvents(path, 2)
  await writeEvents(path, 2, 2)
  const lines = await readLines(path)
  t.equal(lines.length, 4)
  t.equal(lines[2]?.prev_hash, lines[1]?.hash)
  t.same(await verify(path), { ok: true, records: 4, lastHash: lines[3]?.hash })
  const result = await cli(path)
  t.equal(result.code, 0)
  t.match(result.stdout, /intact, 4 records/)
})

t.test('the file is created with its directory, readable by its owner only', async (t) => {
  const { stat } = await import('node:fs/promises')
  const path = join(await tempDir(t), 'nested', 'dir', 'audit.jsonl')
  await writeEvents(path, 1)
  t.equal((await stat(path)).mode & 0o777, 0o600)
})

t.test('verify reports the first broken record', async (t) => {
  const dir = await tempDir(t)
  const original = join(dir, 'original.jsonl')
  await writeEvents(original, 5)
  const text = await readFile(original, 'utf8')
  const lines = text.trimEnd().split('\n')

  const cases: [string, (lines: string[]) => string[], number, RegExp][] = [
    [
      'an edited field',
      (l) => l.map((line, i) => (i === 2 ? line.replace('"grant-role"', '"revoke-role"') : line)),
      3,
      /edited/,
    ],
    [
      'an edited field with its hash recomputed',
      (l) =>
        l.map((line, i) => {
          if (i !== 2) return line
          const record = JSON.parse(line)
          record.user_id = 'mallory'
          record.hash = recordHash(record)
          return JSON.stringify(record)
        }),
      4,
      /prev_hash" does not match the hash of line 3/,
    ],
    ['a deleted line', (l) => l.filter((_, i) => i !== 1), 2, /removed, inserted or moved/],
    ['swapped lines', (l) => [l[0], l[2], l[1], l[3], l[4]] as string[], 2, /removed, inserted or moved/],
    ['a removed head', (l) => l.slice(2), 1, /first record's "prev_hash" is not null/],
    ['a partial line', (l) => [...l.slice(0, 3), (l[3] as string).slice(0, 40)], 4, /not valid JSON/],
    ['a blank line', (l) => [l[0], '', ...l.slice(1)] as string[], 2, /empty line/],
    [
      'a line without hash',
      (l) => l.map((line, i) => (i === 0 ? line.replace(/,"hash":"[0-9a-f]+"/, '') : line)),
      1,
      /no valid "hash"/,
    ],
  ]
  for (const [index, [name, tamper, line, reason]] of cases.entries()) {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.jsonl`)
    await writeFile(path, `${tamper([...lines]).join('\n')}\n`)
    const result = await verify(path)
    t.match(result, { ok: false, line, reason }, name)
    if (index > 2) continue // the CLI prints what verify() returns: a few runs of it are enough
    const output = await cli(path)
    t.equal(output.code, 1, `${name}: exit 1`)
    t.match(output.stdout, new RegExp(`broken at line ${line}:`), `${name}: names the line`)
  }
  t.match(await verify(original), { ok: true, records: 5 })
})

t.test('the CLI: usage and unreadable files exit 2; an empty file is intact', async (t) => {
  const dir = await tempDir(t)
  t.equal((await cli(join(dir, 'missing.jsonl'))).code, 2)
  const usage = await run(process.execPath, [CLI]).catch((error) => error)
  t.equal(usage.code, 2)
  t.match(usage.stderr, /usage: rampart-audit-verify/)
  const empty = join(dir, 'empty.jsonl')
  await writeFile(empty, '')
  t.same(await verify(empty), { ok: true, records: 0, lastHash: null })
  t.equal((await cli(empty)).code, 0)
  await t.rejects(verify(join(dir, 'missing.jsonl')), { code: 'ENOENT' })
})

t.test('after a crash mid-line, new records start on a line of their own and chain to it', async (t) => {
  const path = join(await tempDir(t), 'audit.jsonl')
  await writeEvents(path, 2)
  await appendFile(path, '{"id":"partial","ev')
  await writeEvents(path, 2, 2)
  const text = await readFile(path, 'utf8')
  const lines = text.trimEnd().split('\n')
  t.equal(lines.length, 5)
  t.equal(lines[2], '{"id":"partial","ev')
  t.match(await verify(path), { ok: false, line: 3, reason: /not valid JSON/ })
  const after = JSON.parse(lines[3] as string)
  t.equal(typeof after.prev_hash, 'string', 'the next record chains to the partial line, not to null')
})

t.test('an audit file that cannot be opened fails register', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'file'), 'x')
  const fastify = Fastify()
  fastify.register(rampartAudit, { sink: { type: 'file', path: join(dir, 'file', 'audit.jsonl') } })
  await t.rejects(async () => fastify.ready(), { code: 'RAMPART_AUDIT_FILE_UNAVAILABLE' })
})

t.test(
  'a file that fails to take writes (disk full): requests go on, records wait, the loss is reported at close',
  { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system' },
  async (t) => {
    const failures: unknown[] = []
    const drops: unknown[] = []
    t.teardown(sinkFailedChannel.subscribe((event) => failures.push(event)))
    t.teardown(droppedChannel.subscribe((event) => drops.push(event)))
    const fastify = Fastify()
    await fastify.register(rampartAudit, {
      sink: { type: 'file', path: '/dev/full' },
      flushInterval: 5,
      retry: { minDelay: 10, maxDelay: 20 },
      closeTimeout: 100,
    })
    fastify.get('/', async (request) => {
      fastify.audit.record({ eventType: 'x' }, request)
      return { ok: true }
    })
    for (let i = 0; i < 3; i++) t.equal((await fastify.inject('/')).statusCode, 200)
    t.equal(await fastify.audit.flush(200), false)
    t.ok(failures.length >= 1)
    t.match(failures[0], { sink: 'file', error: { code: 'ENOSPC' } })
    t.match(fastify.audit.stats(), { buffered: 3, written: 0, lastError: /ENOSPC|no space/i })
    await fastify.close()
    t.equal(drops.length, 3)
    t.match(fastify.audit.stats(), { droppedBy: { shutdown: 3 } })
  },
)

t.test('a last record edited before a restart: logged at open, the chain goes on from its stated hash', async (t) => {
  const path = join(await tempDir(t), 'audit.jsonl')
  await writeEvents(path, 2)
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n')
  const stated = JSON.parse(lines[1] as string).hash
  await writeFile(path, `${lines[0]}\n${(lines[1] as string).replace('"grant-role"', '"revoke-role"')}\n`)
  const logged: string[] = []
  const fastify = Fastify({ logger: { level: 'error', stream: { write: (line: string) => logged.push(line) } } })
  await fastify.register(rampartAudit, { sink: { type: 'file', path } })
  await fastify.ready()
  fastify.audit.record({ eventType: 'after' })
  await fastify.close()
  t.ok(logged.some((line) => line.includes('does not match its hash')))
  const after = (await readLines(path))[2]
  t.equal(after?.prev_hash, stated)
  t.match(await verify(path), { ok: false, line: 2, reason: /edited/ })
})

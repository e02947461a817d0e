import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import type { BenchResult } from '../src/results.js'

const run = promisify(execFile)
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))

// The smoke keeps `pnpm bench` working: it runs the real suite briefly and checks what it writes.
// Nothing here asserts a timing or a ratio: benchmarks are never timed tests.
t.test('pnpm bench --smoke writes a JSON with every figure', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'rampart-bench-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const out = join(directory, 'smoke.json')
  // From sources (as every test runs): the smoke checks the suite works, not the built packages' speed.
  await run(
    process.execPath,
    ['--import', 'tsx', '--conditions=rampart-source', 'src/run.ts', '--smoke', '--out', out],
    {
      cwd: PACKAGE_ROOT,
      timeout: 110_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  )
  const result = JSON.parse(readFileSync(out, 'utf8')) as BenchResult
  t.equal(result.schema, 1)
  t.equal(result.kind, 'smoke')
  t.match(result.settings, { rounds: 1, connections: 50 })
  t.match(result.versions, { node: process.version, packages: { fastify: String, autocannon: String } })

  const byName = new Map(result.variants.map((variant) => [variant.name, variant]))
  for (const name of ['bare', 'preset-1', 'fastify-helmet']) {
    const variant = byName.get(name)
    t.equal(variant?.status, 'measured', `${name} measured`)
    // Bare runs first and last in the round (and between groups of variants), the others once.
    if (name === 'bare') t.ok((variant?.samples.length ?? 0) >= 2, 'bare: runs around the variants')
    else t.equal(variant?.samples.length, 1, `${name}: one sample`)
    const sample = variant?.samples[0]
    if (name !== 'bare') t.type(sample?.reference?.cpuPerRequest, 'number', `${name}: bare's figures around it`)
    t.ok((sample?.requests ?? 0) > 0, `${name}: requests completed`)
    for (const figure of ['cpuPerRequest', 'requestsPerSecond', 'p50', 'p99', 'bytesPerResponse'] as const) {
      t.type(variant?.median[figure], 'number', `${name}: median ${figure}`)
    }
    t.type(variant?.ratio.cpuPerRequest, 'number', `${name}: CPU ratio to bare`)
  }
  t.equal(byName.get('bare')?.ratio.cpuPerRequest, 1, 'bare is 1× itself')
  t.ok(
    (byName.get('preset-1')?.responseHeaders ?? []).includes('x-content-type-options'),
    'the preset answered with its headers',
  )

  const redis = byName.get('rampart-rate-limit-redis')
  t.ok(redis !== undefined, 'the Redis variant is part of the smoke')
  if (redis?.status === 'measured') {
    t.type(redis.median.redisCpuPerRequest, 'number', 'Redis CPU per request')
    t.type(redis.median.redisCommandsPerRequest, 'number', 'Redis commands per request')
    t.ok(redis.samples[0]?.census !== undefined, 'the MONITOR census ran')
  } else {
    t.match(redis?.reason, /Redis/, 'unavailable only for want of Redis')
  }

  t.ok(result.targets.length >= 15, 'every target is listed')
  for (const target of result.targets) {
    t.match(target, { id: String, description: String, limit: Number, unit: String }, target.id)
  }
  t.ok((result.micro?.cases.length ?? 0) >= 10, 'micro-benchmarks ran')
  for (const item of result.micro?.cases ?? []) t.ok(item.nsPerCall > 0, `${item.name}: ns per call`)
  t.match(result.memory, { cap: 20_000, trackedAtFull: 20_000, bytesPerClient: Number, expiry: { maxDelayMs: Number } })
  t.ok((result.memory?.maxTracked ?? Infinity) <= (result.memory?.cap ?? 0), 'the memory test stays within the cap')
})

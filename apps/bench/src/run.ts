/**
 * `pnpm bench`: every variant of src/variants.ts in its own server process, measured with
 * autocannon in interleaved rounds (A B C ... A B C ...), then the micro-benchmarks and the memory
 * test; writes the stdout table, the JSON, and (full runs) the chart and BENCHMARKS.md.
 * `--help` lists the options.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { type BenchConfig, parseConfig } from './config.js'
import { type LoadResult, probe, runLoad, sequential } from './load.js'
import type { MemoryResult } from './memory.js'
import type { MicroResult } from './micro.js'
import {
  callsBetween,
  census,
  deleteKeys,
  type PrivateRedis,
  type RedisCounters,
  readCounters,
  startPrivateRedis,
} from './redis-stats.js'
import { printTable, writeDocs, writeJson } from './report.js'
import type { BenchResult, Sample, VariantResult } from './results.js'
import { attachReferences, summarise } from './results.js'
import { inheritedConditions, ServerProcess, VariantUnavailableError } from './server-process.js'
import { machine, versions } from './system.js'
import { evaluateTargets } from './targets.js'
import { benchToken, ORIGIN } from './token.js'
import { ROUTE, VARIANTS, type Variant } from './variants.js'

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)

const T0 = performance.now()

function log(message: string): void {
  process.stderr.write(`[${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${message}\n`)
}

function selectVariants(config: BenchConfig): Variant[] {
  const wanted = config.only
  const unknown = wanted.filter((name) => !VARIANTS.some((v) => v.name === name || v.group === name))
  if (unknown.length > 0) throw new Error(`--only: unknown variants or groups: ${unknown.join(', ')}`)
  return VARIANTS.filter(
    (variant) =>
      variant.name === 'bare' ||
      (wanted.length > 0
        ? wanted.includes(variant.name) || wanted.includes(variant.group)
        : !config.smoke || variant.smoke),
  )
}

async function redisAvailable(url: string): Promise<{ client: Redis; version: string } | undefined> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
  client.on('error', () => {})
  try {
    await client.connect()
    const info = await client.info('server')
    return { client, version: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' }
  } catch {
    client.disconnect()
    return undefined
  }
}

/** Starts at most `limit` servers at once (start-up is CPU-heavy: the servers would slow each other). */
async function startAll(
  variants: readonly Variant[],
  start: (variant: Variant) => Promise<ServerProcess | string>,
  limit = 3,
): Promise<Map<string, ServerProcess | string>> {
  const started = new Map<string, ServerProcess | string>()
  const queue = [...variants]
  const worker = async () => {
    for (let variant = queue.shift(); variant !== undefined; variant = queue.shift()) {
      started.set(variant.name, await start(variant))
    }
  }
  await Promise.all(Array.from({ length: limit }, worker))
  return started
}

/** A child's JSON line (micro, memory). */
async function childJson<T>(args: readonly string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [...inheritedConditions, ...args], {
    cwd: PACKAGE_ROOT,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 10 * 60_000,
  })
  const line = stdout.trim().split('\n').at(-1)
  if (line === undefined || line === '') throw new Error(`no output from ${args.join(' ')}`)
  return JSON.parse(line) as T
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2))
  if (config.from !== undefined) {
    const result = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, config.from), 'utf8')) as BenchResult
    printTable(result)
    if (config.docs) for (const path of writeDocs(result)) log(`wrote ${path}`)
    return
  }
  const startedAt = new Date()
  const variants = selectVariants(config)
  const runId = randomBytes(4).toString('hex')
  const keyPrefix = `rampart-bench:${runId}:`
  const headers = { origin: ORIGIN, authorization: `Bearer ${benchToken()}` }
  const machineInfo = machine()
  log(
    `rampart bench: ${variants.length} variants, ${config.rounds} round(s) of ${config.duration} s (+${config.warmup} s warm-up), ` +
      `${config.connections} connections; load average ${machineInfo.loadAverage.join(' ')}`,
  )

  let privateRedis: PrivateRedis | undefined
  let redisUrl = config.redisUrl
  if (config.privateRedis && variants.some((v) => v.redis)) {
    privateRedis = await startPrivateRedis()
    redisUrl = privateRedis.url
    log(`private redis-server at ${redisUrl}`)
  }
  const redis = variants.some((v) => v.redis) ? await redisAvailable(redisUrl) : undefined
  if (redis === undefined && variants.some((v) => v.redis))
    log(`Redis not reachable at ${redisUrl}: Redis variants unavailable`)

  const servers = new Map<string, ServerProcess>()
  const unavailable = new Map<string, string>()
  const responseHeaders = new Map<string, string[]>()
  const cleanUp = async () => {
    await Promise.all([...servers.values()].map((server) => server.close()))
    if (redis !== undefined) {
      const deleted = await deleteKeys(redis.client, keyPrefix).catch(() => 0)
      if (deleted > 0) log(`deleted ${deleted} Redis keys under ${keyPrefix}`)
      redis.client.disconnect()
    }
    privateRedis?.stop()
  }

  try {
    if (config.profile) mkdirSync(`${PACKAGE_ROOT}/${config.profileDir}`, { recursive: true })
    log('starting servers...')
    const started = await startAll(variants, async (variant) => {
      if (variant.redis && redis === undefined) return `Redis not reachable at ${redisUrl}`
      try {
        return await ServerProcess.start(variant.name, {
          env: { BENCH_REDIS_URL: redisUrl, BENCH_KEY_PREFIX: keyPrefix },
          execArgv: config.profile
            ? ['--cpu-prof', `--cpu-prof-dir=${PACKAGE_ROOT}/${config.profileDir}/${variant.name}`]
            : [],
          timeoutMs: 90_000,
        })
      } catch (error) {
        if (error instanceof VariantUnavailableError) return error.reason
        throw error
      }
    })
    for (const [name, server] of started) {
      if (typeof server === 'string') {
        unavailable.set(name, server)
        log(`${name}: unavailable: ${server}`)
      } else {
        servers.set(name, server)
      }
    }
    if (!servers.has('bare')) throw new Error('bare Fastify did not start: nothing to compare with')

    // Every variant must answer the measured request with 200: a 401 or 429 benchmark is meaningless.
    for (const [name, server] of servers) {
      const response = await probe(`${server.url}${ROUTE}`, headers)
      if (response.status !== 200) {
        throw new Error(
          `${name} answered ${response.status} to GET ${ROUTE} (${response.body.slice(0, 300)}): fix the variant, a benchmark of a refusal is meaningless`,
        )
      }
      responseHeaders.set(name, Object.keys(response.headers))
      await runLoad({ url: `${server.url}${ROUTE}`, headers, connections: config.connections, seconds: config.warmup })
    }

    const samples = new Map<string, Sample[]>()
    const measured = variants.filter((variant) => servers.has(variant.name) && variant.name !== 'bare')
    const bareVariant = variants.find((variant) => variant.name === 'bare') as Variant
    let sequence = 0
    for (let round = 1; round <= config.rounds; round++) {
      // A B C ... with bare first, after every `bareEvery` variants and last: every measurement has
      // bare runs of the same round close to it on both sides (the machine's speed drifts).
      const order: Variant[] = [bareVariant]
      measured.forEach((variant, index) => {
        order.push(variant)
        if ((index + 1) % config.bareEvery === 0 || index === measured.length - 1) order.push(bareVariant)
      })
      for (const variant of order) {
        sequence++
        const server = servers.get(variant.name) as ServerProcess
        const url = `${server.url}${ROUTE}`
        const load = { url, headers, connections: config.connections }
        await runLoad({ ...load, seconds: config.warmup })
        const useRedis = variant.redis === true && redis !== undefined
        const before = await server.stats()
        const redisBefore: RedisCounters | undefined = useRedis ? await readCounters(redis.client) : undefined
        const result: LoadResult = await runLoad({ ...load, seconds: config.duration })
        const after = await server.stats()
        const redisAfter: RedisCounters | undefined = useRedis ? await readCounters(redis.client) : undefined
        if (result.non2xx > 0) {
          throw new Error(
            `${variant.name}: ${result.non2xx} non-2xx responses while measuring (limits must not be hit)`,
          )
        }
        if (result.requests === 0) throw new Error(`${variant.name}: no request completed`)
        const cpuMicros = after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system)
        let sample: Sample = {
          round,
          sequence,
          requests: result.requests,
          seconds: result.seconds,
          cpuMicros,
          cpuPerRequest: cpuMicros / result.requests,
          requestsPerSecond: result.requests / result.seconds,
          p50: result.p50,
          p99: result.p99,
          bytesPerResponse: result.bytes / result.requests,
          errors: result.errors,
        }
        if (redisBefore !== undefined && redisAfter !== undefined) {
          const calls = callsBetween(redisBefore, redisAfter)
          const total = Object.values(calls).reduce((sum, count) => sum + count, 0)
          const counted = await census(redisUrl, after.redisPorts, () => sequential(url, headers, config.census))
          const sent = Object.values(counted.sent).reduce((sum, count) => sum + count, 0)
          sample = {
            ...sample,
            redisCpuPerRequest: (redisAfter.cpuMicros - redisBefore.cpuMicros) / result.requests,
            redisCallsPerRequest: total / result.requests,
            redisCalls: calls,
            redisCommandsPerRequest: sent / config.census,
            census: { requests: config.census, ...counted },
          }
        }
        if (sample.redisCommandsPerRequest !== undefined && sample.redisCommandsPerRequest < 0.99) {
          log(
            `${variant.name}: warning: ${sample.redisCommandsPerRequest.toFixed(2)} Redis commands per census request: ` +
              'some requests were decided without Redis (deadline passed or breaker open: is the machine overloaded?)',
          )
        }
        const list = samples.get(variant.name) ?? []
        list.push(sample)
        samples.set(variant.name, list)
        const redisNote =
          sample.redisCommandsPerRequest === undefined
            ? ''
            : `, Redis ${sample.redisCpuPerRequest?.toFixed(1)} µs/req, ${sample.redisCommandsPerRequest.toFixed(2)} cmd/req`
        log(
          `[round ${round}/${config.rounds}] ${variant.name}: ${sample.cpuPerRequest.toFixed(1)} µs CPU/req, ` +
            `${Math.round(sample.requestsPerSecond)} req/s${redisNote}`,
        )
      }
    }
    await cleanUp()
    servers.clear()

    let micro: MicroResult | undefined
    if (config.micro) {
      log('micro-benchmarks...')
      micro = await childJson<MicroResult>(['--import', 'tsx', 'src/micro.ts', ...(config.smoke ? ['--smoke'] : [])])
    }
    let memory: MemoryResult | undefined
    if (config.memory) {
      log(`memory test (${config.memoryClients.toLocaleString('en-US')} clients)...`)
      memory = await childJson<MemoryResult>([
        '--expose-gc',
        '--import',
        'tsx',
        'src/memory.ts',
        '--clients',
        String(config.memoryClients),
      ])
    }

    const bare = samples.get('bare') ?? []
    for (const [name, list] of samples) if (name !== 'bare') attachReferences(list, bare)
    const results: VariantResult[] = variants.map((variant) => {
      const base = {
        name: variant.name,
        description: variant.description,
        group: variant.group,
        redis: variant.redis === true,
      }
      const reason = unavailable.get(variant.name)
      if (reason !== undefined) return { ...base, status: 'unavailable', reason, samples: [], median: {}, ratio: {} }
      const list = samples.get(variant.name) ?? []
      return {
        ...base,
        status: 'measured',
        responseHeaders: responseHeaders.get(variant.name) ?? [],
        samples: list,
        ...summarise(list, variant.name === 'bare'),
      }
    })
    const result: BenchResult = {
      schema: 1,
      kind: config.smoke ? 'smoke' : 'full',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: ['pnpm bench', ...process.argv.slice(2)].join(' '),
      settings: {
        rounds: config.rounds,
        duration: config.duration,
        warmup: config.warmup,
        bareEvery: config.bareEvery,
        connections: config.connections,
        census: config.census,
        privateRedis: privateRedis !== undefined,
        redis: redis !== undefined,
        profile: config.profile,
      },
      machine: machineInfo,
      versions: versions(redis?.version),
      variants: results,
      targets: evaluateTargets(results, memory),
      ...(micro === undefined ? {} : { micro }),
      ...(memory === undefined ? {} : { memory }),
    }
    printTable(result)
    const jsonPath = writeJson(result, config.out)
    log(`wrote ${jsonPath}`)
    if (config.docs) for (const path of writeDocs(result)) log(`wrote ${path}`)
  } catch (error) {
    for (const server of servers.values()) server.kill()
    privateRedis?.stop()
    redis?.client.disconnect()
    throw error
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})

import { parseArgs } from 'node:util'

/** How a run is configured: CLI flags first, then `BENCH_*` environment variables, then defaults. */
export interface BenchConfig {
  readonly smoke: boolean
  readonly rounds: number
  /** Seconds of measured load per variant per round. */
  readonly duration: number
  /** Seconds of unmeasured load before each measurement. */
  readonly warmup: number
  readonly connections: number
  /** Bare Fastify runs first in each round, again after every this many variants, and last. */
  readonly bareEvery: number
  /** Sequential requests watched with MONITOR per Redis variant and round. */
  readonly census: number
  /** Variant names or groups to run (bare always runs); empty: all. */
  readonly only: readonly string[]
  readonly redisUrl: string
  /** Start a redis-server of the bench's own on a free port (no other client in its counters). */
  readonly privateRedis: boolean
  /** Servers run with `--cpu-prof`, profiles in `profileDir`. */
  readonly profile: boolean
  readonly profileDir: string
  /** Where the JSON goes. */
  readonly out: string
  /** Write BENCHMARKS.md and docs/bench-cpu.svg. */
  readonly docs: boolean
  readonly micro: boolean
  readonly memory: boolean
  /** Distinct clients of the memory test. */
  readonly memoryClients: number
  /** Measure nothing: print and write the reports of this JSON (after editing the notes, say). */
  readonly from: string | undefined
}

export const USAGE = `pnpm bench [options]   (or: node --import tsx src/run.ts [options], in apps/bench)

  --rounds N          rounds, each running every variant once, interleaved (BENCH_ROUNDS, default 3)
  --duration S        measured seconds per variant per round (BENCH_DURATION, default 5)
  --warmup S          unmeasured seconds before each measurement (BENCH_WARMUP, default 1)
  --connections N     autocannon connections (BENCH_CONNECTIONS, default 50)
  --bare-every N      bare Fastify runs first in each round, after every N variants and last (default 4)
  --census N          requests watched with MONITOR per Redis variant and round (default 200)
  --only a,b          variants or groups to run (bare always runs)
  --redis URL         Redis of the Redis variants (REDIS_URL, default redis://127.0.0.1:6379)
  --private-redis     start a redis-server of the bench's own on a free port (BENCH_PRIVATE_REDIS=1)
  --profile           run the servers with --cpu-prof (profiles in results/profiles/<variant>)
  --out FILE          JSON output (default results/latest.json, results/smoke.json with --smoke)
  --no-docs           do not write BENCHMARKS.md and docs/bench-cpu.svg
  --no-micro          skip the micro-benchmarks
  --no-memory         skip the 1,000,000-client memory test
  --memory-clients N  clients of the memory test (default 1000000)
  --from FILE         measure nothing: print the table and rewrite the docs from a JSON of an earlier run
  --smoke             1 round of 0.5 s over a few variants, small micro and memory runs, no docs (< 30 s)
`

function positive(name: string, value: string | undefined, fallback: number, integer = true): number {
  if (value === undefined || value === '') return fallback
  const number = Number(value)
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'} (got "${value}")`)
  }
  return number
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'bare-every': { type: 'string' },
      census: { type: 'string' },
      only: { type: 'string' },
      redis: { type: 'string' },
      'private-redis': { type: 'boolean' },
      profile: { type: 'boolean' },
      out: { type: 'string' },
      'no-docs': { type: 'boolean' },
      'no-micro': { type: 'boolean' },
      'no-memory': { type: 'boolean' },
      'memory-clients': { type: 'string' },
      smoke: { type: 'boolean' },
      from: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) {
    process.stdout.write(USAGE)
    process.exit(0)
  }
  const smoke = values.smoke === true || env.BENCH_SMOKE === '1'
  const only = (values.only ?? env.BENCH_ONLY ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0)
  return Object.freeze({
    smoke,
    rounds: positive('--rounds', values.rounds ?? env.BENCH_ROUNDS, smoke ? 1 : 3),
    duration: positive('--duration', values.duration ?? env.BENCH_DURATION, smoke ? 0.5 : 5, false),
    warmup: positive('--warmup', values.warmup ?? env.BENCH_WARMUP, smoke ? 0.25 : 1, false),
    connections: positive('--connections', values.connections ?? env.BENCH_CONNECTIONS, 50),
    bareEvery: positive('--bare-every', values['bare-every'] ?? env.BENCH_BARE_EVERY, 4),
    census: positive('--census', values.census ?? env.BENCH_CENSUS, smoke ? 20 : 200),
    only,
    redisUrl: values.redis ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    privateRedis: values['private-redis'] === true || env.BENCH_PRIVATE_REDIS === '1',
    profile: values.profile === true,
    profileDir: 'results/profiles',
    out: values.out ?? (smoke ? 'results/smoke.json' : 'results/latest.json'),
    docs: !smoke && values['no-docs'] !== true,
    micro: values['no-micro'] !== true,
    memory: values['no-memory'] !== true,
    memoryClients: positive('--memory-clients', values['memory-clients'], smoke ? 20_000 : 1_000_000),
    from: values.from,
  })
}

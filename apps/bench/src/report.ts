import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpuChart } from './chart.js'
import { type BenchResult, median, type Target, type VariantResult } from './results.js'

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url))
export const MARKDOWN_PATH = resolve(REPO_ROOT, 'BENCHMARKS.md')
export const CHART_PATH = resolve(REPO_ROOT, 'docs/bench-cpu.svg')
const NOTES_START = '<!-- notes:start -->'
const NOTES_END = '<!-- notes:end -->'

function fixed(value: number | undefined, digits = 1): string {
  return value === undefined ? '–' : value.toFixed(digits)
}

function times(value: number | undefined): string {
  return value === undefined ? '–' : `${value.toFixed(2)}×`
}

function thousands(value: number | undefined): string {
  return value === undefined ? '–' : Math.round(value).toLocaleString('en-US')
}

function verdict(target: Target): string {
  if (target.met === undefined) return 'not measured'
  return target.met ? 'met' : 'MISSED'
}

function measuredText(target: Target): string {
  if (target.measured === undefined) return '–'
  if (target.unit === 'clients') return thousands(target.measured)
  if (target.unit === 'bytes') return `${Math.round(target.measured)} bytes`
  if (target.unit === 'ms') return `${target.measured.toFixed(1)} ms`
  if (target.unit === 'commands') return target.measured.toFixed(2)
  return `${target.measured.toFixed(2)}${target.unit.startsWith('×') ? target.unit : ` ${target.unit}`}`
}

function limitText(target: Target): string {
  const limit =
    target.unit === 'clients'
      ? thousands(target.limit)
      : `${target.limit}${target.unit.startsWith('×') ? target.unit : ` ${target.unit}`}`
  return `${target.comparison === '==' ? '=' : target.comparison === '<=' ? '≤' : target.comparison === '>=' ? '≥' : '<'} ${limit}`
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

/** The table on stdout. */
export function printTable(result: BenchResult): void {
  const columns: [string, number, (v: VariantResult) => string][] = [
    ['variant', 26, (v) => v.name],
    ['CPU µs/req', 11, (v) => fixed(v.median.cpuPerRequest)],
    ['×bare', 7, (v) => times(v.ratio.cpuPerRequest)],
    ['req/s', 8, (v) => thousands(v.median.requestsPerSecond)],
    ['×bare', 7, (v) => times(v.ratio.requestsPerSecond)],
    ['p50 ms', 7, (v) => fixed(v.median.p50, 0)],
    ['p99 ms', 7, (v) => fixed(v.median.p99, 0)],
    ['bytes', 6, (v) => fixed(v.median.bytesPerResponse, 0)],
    ['Redis µs/req', 13, (v) => fixed(v.median.redisCpuPerRequest)],
    ['cmd/req', 8, (v) => fixed(v.median.redisCommandsPerRequest, 2)],
  ]
  const lines: string[] = []
  lines.push(columns.map(([title, width], index) => pad(title, width, index > 0)).join(' '))
  for (const variant of result.variants) {
    if (variant.status === 'unavailable') {
      lines.push(`${pad(variant.name, 26)} unavailable: ${variant.reason}`)
      continue
    }
    lines.push(columns.map(([, width, cell], index) => pad(cell(variant), width, index > 0)).join(' '))
  }
  lines.push('', 'targets:')
  for (const target of result.targets) {
    lines.push(`  ${pad(verdict(target), 12)} ${target.description}: ${measuredText(target)} (${limitText(target)})`)
  }
  if (result.micro !== undefined) {
    lines.push('', 'micro-benchmarks (CPU ns/call):')
    for (const item of result.micro.cases)
      lines.push(`  ${pad(fixed(item.nsPerCall), 9, true)}  ${item.area}: ${item.name}`)
  }
  if (result.memory !== undefined) {
    const memory = result.memory
    lines.push(
      '',
      `memory: ${memory.bytesPerClient} bytes/client at ${thousands(memory.trackedAtFull)} clients (cap ${thousands(memory.cap)}, most tracked ${thousands(memory.maxTracked)}); ` +
        `expiry: longest event-loop delay ${memory.expiry.maxDelayMs} ms, longest turn ${memory.expiry.longestTurnCpuMs} ms CPU`,
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

export function writeJson(result: BenchResult, out: string): string {
  const path = isAbsolute(out) ? out : resolve(PACKAGE_ROOT, out)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`)
  return path
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align?: string): string {
  const separator = align ?? header.map((_, index) => (index === 0 ? '---' : '---:')).join(' | ')
  return [`| ${header.join(' | ')} |`, `| ${separator} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n')
}

function existingNotes(): string {
  if (!existsSync(MARKDOWN_PATH)) return '_No notes yet._'
  const text = readFileSync(MARKDOWN_PATH, 'utf8')
  const start = text.indexOf(NOTES_START)
  const end = text.indexOf(NOTES_END)
  if (start < 0 || end < start) return '_No notes yet._'
  return text.slice(start + NOTES_START.length, end).trim()
}

export function markdown(result: BenchResult, notes: string): string {
  const { settings, machine, versions } = result
  const measured = result.variants.filter((v) => v.status === 'measured')
  const unavailable = result.variants.filter((v) => v.status === 'unavailable')
  const sections: string[] = []
  sections.push(`# Benchmarks

Generated by \`pnpm bench\` (apps/bench) on ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, from one run:
\`${result.command}\`. Everything outside the notes section is rewritten by the next full run.

## Reproduce

\`\`\`sh
pnpm bench                     # every variant, 3 rounds × 5 s, Redis at $REDIS_URL (default redis://127.0.0.1:6379)
pnpm bench --private-redis     # the same with a redis-server of the bench's own (no other client in Redis's CPU and command counters)
pnpm bench --smoke             # 1 round of 0.5 s over a few variants, a small memory test (CI keeps the bench working with it)
pnpm bench --only rampart-headers,fastify-helmet --profile   # CPU profiles of the servers in apps/bench/results/profiles
node --import tsx src/profile.ts results/profiles/<variant>/*.cpuprofile   # (in apps/bench) the hottest functions of a profile
pnpm --filter @rampart/bench script-cost   # Redis CPU per decision of each rate-limit script, no HTTP around it
\`\`\`

\`pnpm bench --help\` lists every option. The JSON of this run is \`apps/bench/results/latest.json\`.`)

  sections.push(`## Machine and versions

${markdownTable(
  ['', ''],
  [
    ['CPU', `${machine.cpu}, ${machine.cores} cores (shared by the servers, autocannon and Redis)`],
    ['Memory', `${machine.memoryGiB} GiB`],
    ['OS', machine.os],
    ['Load average at start', `${machine.loadAverage.join(', ')} (other processes were running)`],
    ['Node.js', versions.node],
    [
      'Redis',
      `${versions.redis ?? 'not available'}${settings.privateRedis ? ' (private redis-server of the bench)' : ''}`,
    ],
    ['Rampart commit', versions.rampartCommit ?? 'unknown'],
    ...Object.entries(versions.packages).map(([name, version]) => [name, version]),
  ],
  '--- | ---',
)}`)

  sections.push(`## Method

- One Fastify app per variant, each in its own process (\`src/server.ts\`), listening on an ephemeral
  loopback port; the same \`GET /api/hello\` handler (\`{ "hello": "world" }\`) in every variant; the
  Fastify logger off everywhere (a log line's cost is pino's, not a plugin's).
- Every request carries \`Origin: https://app.example.com\` (allowed by every CORS variant) and
  \`Authorization: Bearer <one valid HS256 token>\` (verified by the JWT variants and presets 2-3,
  ignored by the others), so every variant parses the same bytes. Limits are set far above what
  ${settings.connections} connections reach (10⁹ per minute and per hour), so the limiters count
  every request and refuse none. Rampart's Redis store gets a 1 s call deadline instead of its
  default 50 ms, so that on a loaded machine it measures the Redis path rather than its fail-open
  fallback (@fastify/rate-limit has no deadline). Before measuring, each variant must answer 200
  (the run stops otherwise).
- The servers start once, are verified and warmed up; then ${settings.rounds} rounds run every
  variant in turn (A B C … A B C …): ${settings.warmup} s of unmeasured load, then ${settings.duration} s
  measured with autocannon (${settings.connections} connections, no pipelining). Bare Fastify runs
  first in each round, again after every ${settings.bareEvery} variants, and last, so that every
  measurement has bare runs of the same round within a minute on both sides.
- **Server CPU per request** = \`process.cpuUsage()\` of the server (user + system, all threads)
  over the measured interval ÷ completed responses. The load generator shares the cores, so
  requests per second alone would hide costs (and the machine was shared with other work).
- **Redis CPU per request** = \`used_cpu_user + used_cpu_sys\` of \`INFO cpu\` over the interval ÷
  responses. **Redis calls per request** = \`INFO commandstats\` calls ÷ responses (commands run
  inside Lua scripts are counted there too). **Commands sent per request**: after the interval,
  ${settings.census} sequential requests are watched with \`MONITOR\`, counting the commands that
  arrive on the server process's own connections.
- Bytes per response = bytes autocannon read ÷ responses (status line, headers, body). Latency
  percentiles are autocannon's (1 ms resolution).
- Every figure is the median over rounds. Every ratio to bare is the median over rounds of the
  figure divided by the mean of the bare runs just before and just after it **in the same round**.
  Ratios between two stacks (Rampart ÷ @fastify) are, per round, the quotient of their ratios to
  bare, so that a change of the machine's speed between the two measurements cancels out.`)

  sections.push(`## Targets

${markdownTable(
  ['target', 'measured', 'limit', ''],
  result.targets.map((target) => [
    target.detail === undefined ? target.description : `${target.description}<br><sub>${target.detail}</sub>`,
    measuredText(target),
    limitText(target),
    verdict(target),
  ]),
  '--- | ---: | ---: | ---',
)}`)

  const resultRows = measured.map((v) => [
    `\`${v.name}\``,
    v.description,
    fixed(v.median.cpuPerRequest),
    times(v.ratio.cpuPerRequest),
    thousands(v.median.requestsPerSecond),
    times(v.ratio.requestsPerSecond),
    fixed(v.median.p50, 0),
    fixed(v.median.p99, 0),
    fixed(v.median.bytesPerResponse, 0),
    fixed(v.median.redisCpuPerRequest),
    fixed(v.median.redisCommandsPerRequest, 2),
    fixed(v.median.redisCallsPerRequest, 2),
  ])
  sections.push(`## Results

![Server CPU per request by variant](docs/bench-cpu.svg)

${markdownTable(
  [
    'variant',
    'what',
    'server CPU µs/req',
    '× bare',
    'req/s',
    '× bare',
    'p50 ms',
    'p99 ms',
    'bytes/resp',
    'Redis CPU µs/req',
    'Redis cmds sent/req',
    'Redis calls/req',
  ],
  resultRows,
  '--- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---:',
)}
${
  unavailable.length === 0
    ? ''
    : `\nUnavailable in this run:\n\n${unavailable.map((v) => `- \`${v.name}\` (${v.description}): ${v.reason}`).join('\n')}\n`
}
Per round: server CPU µs/req (× bare around it); bare: median of its runs in the round.

${markdownTable(
  ['variant', ...Array.from({ length: settings.rounds }, (_, i) => `round ${i + 1}`)],
  measured.map((v) => [
    `\`${v.name}\``,
    ...Array.from({ length: settings.rounds }, (_, i) => {
      const inRound = v.samples.filter((s) => s.round === i + 1)
      if (v.name === 'bare') {
        return `${fixed(median(inRound.map((s) => s.cpuPerRequest)))} (${inRound.length} runs)`
      }
      const sample = inRound[0]
      const reference = sample?.reference?.cpuPerRequest
      return sample === undefined
        ? '–'
        : `${fixed(sample.cpuPerRequest)}${reference === undefined ? '' : ` (${times(sample.cpuPerRequest / reference)})`}`
    }),
  ]),
)}`)

  if (result.micro !== undefined) {
    sections.push(`## Micro-benchmarks

The functions every request goes through (\`src/micro.ts\`), median CPU nanoseconds per call.

${markdownTable(
  ['area', 'function', 'CPU ns/call'],
  result.micro.cases.map((item) => [item.area, item.name, fixed(item.nsPerCall)]),
  '--- | --- | ---:',
)}`)
  }

  const memory = result.memory
  if (memory !== undefined) {
    sections.push(`## Memory: the in-memory limiter under ${thousands(memory.trackedAtFull)} clients

\`src/memory.ts\`, in its own process with \`--expose-gc\`: @rampart/rate-limit's default memory
store (minute + hour policies, \`maxClients: ${thousands(memory.cap)}\`), clients keyed as the plugin
keys them, 1,000 lookups per turn of the event loop. "Main-thread CPU" is the thread's on-CPU time
(\`/proc/thread-self/schedstat\`): a stall the limiter causes shows there, while the wall-clock
delay also counts the time the thread waited for a core that other processes held.

${markdownTable(
  ['', ''],
  [
    ['Distinct clients sent', thousands(memory.distinctClients)],
    [
      'Clients tracked at most',
      `${thousands(memory.maxTracked)} (cap ${thousands(memory.cap)}; ${thousands(memory.evictions)} evicted into the overflow sketch)`,
    ],
    [
      'Bytes per tracked client (heap + typed arrays, after a full GC)',
      `${memory.bytesPerClient} (of which the store's slabs: ${memory.slabBytesPerClient})`,
    ],
    [
      'Filling: seconds / longest event-loop delay / longest GC pause / longest turn (CPU)',
      `${memory.fill.seconds} s / ${memory.fill.maxDelayMs} ms / ${memory.fill.maxGcPauseMs} ms / ${memory.fill.longestTurnCpuMs} ms`,
    ],
    [
      'Expiry (all idle, 1,000 busy clients): lookups until released',
      `${thousands(memory.expiry.lookups)} (${thousands(memory.expiry.clientsBefore)} → ${thousands(memory.expiry.clientsAfter)} clients, ${memory.expiry.seconds} s)`,
    ],
    ['Expiry: longest event-loop delay / p99', `${memory.expiry.maxDelayMs} ms / ${memory.expiry.p99DelayMs} ms`],
    [
      'Expiry: longest GC pause / longest turn (CPU)',
      `${memory.expiry.maxGcPauseMs} ms / ${memory.expiry.longestTurnCpuMs} ms`,
    ],
  ],
  '--- | ---:',
)}`)
  }

  sections.push(`## Notes, gaps and profiles

${NOTES_START}
${notes}
${NOTES_END}`)
  return `${sections.join('\n\n')}\n`
}

/** Writes docs/bench-cpu.svg and BENCHMARKS.md (keeping its notes section). */
export function writeDocs(result: BenchResult): string[] {
  mkdirSync(dirname(CHART_PATH), { recursive: true })
  writeFileSync(CHART_PATH, cpuChart(result))
  writeFileSync(MARKDOWN_PATH, markdown(result, existingNotes()))
  return [CHART_PATH, MARKDOWN_PATH]
}

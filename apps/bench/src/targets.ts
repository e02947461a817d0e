import type { MemoryResult } from './memory.js'
import { type Figure, medianRatio, type Target, type VariantResult } from './results.js'

/** Phase 1 plugins alone and their limits (server CPU per request, × bare in the same round). */
const PLUGIN_LIMITS: readonly [variant: string, limit: number, note?: string][] = [
  ['rampart-proxy-headers', 1.05],
  ['rampart-request-id', 1.05],
  ['rampart-headers', 1.1, 'it writes more bytes'],
  ['rampart-trusted-host', 1.05],
  ['rampart-cors', 1.05],
  ['rampart-rate-limit', 1.05],
  ['rampart-content-guard', 1.05],
  ['rampart-request-log', 1.05],
  ['rampart-metrics', 1.05, 'opt-in in every phase of the preset'],
]

function check(measured: number | undefined, comparison: Target['comparison'], limit: number): boolean | undefined {
  if (measured === undefined) return undefined
  switch (comparison) {
    case '<=':
      return measured <= limit
    case '<':
      return measured < limit
    case '>=':
      return measured >= limit
    case '==':
      return Math.abs(measured - limit) < 0.005
  }
}

function target(
  id: string,
  description: string,
  measured: number | undefined,
  comparison: Target['comparison'],
  limit: number,
  unit: string,
  detail?: string,
): Target {
  return {
    id,
    description,
    measured,
    limit,
    comparison,
    unit,
    met: check(measured, comparison, limit),
    ...(detail === undefined ? {} : { detail }),
  }
}

export function evaluateTargets(variants: readonly VariantResult[], memory: MemoryResult | undefined): Target[] {
  const byName = new Map(variants.filter((v) => v.status === 'measured').map((v) => [v.name, v]))
  const ratioToBare = (name: string, figure: Figure = 'cpuPerRequest') => byName.get(name)?.ratio[figure]
  const between = (a: string, b: string, figure: Figure) => {
    const x = byName.get(a)
    const y = byName.get(b)
    return x === undefined || y === undefined ? undefined : medianRatio(x.samples, y.samples, figure)
  }
  const targets: Target[] = []
  for (const [name, limit, note] of PLUGIN_LIMITS) {
    const plugin = name.replace('rampart-', '@rampart/')
    targets.push(
      target(
        `alone:${name}`,
        `${plugin} alone${note ? ` (${note})` : ''}: server CPU/request`,
        ratioToBare(name),
        '<=',
        limit,
        '× bare',
      ),
    )
  }
  targets.push(
    target(
      'preset-1',
      'Phase 1 preset, all its plugins: server CPU/request',
      ratioToBare('preset-1'),
      '<=',
      1.35,
      '× bare',
    ),
  )
  targets.push(
    target(
      'stack-memory',
      'Rampart headers + cors + rate-limit + metrics vs the @fastify equivalent: server CPU/request',
      between('rampart-stack', 'fastify-stack', 'cpuPerRequest'),
      '<=',
      0.5,
      '× @fastify',
    ),
  )
  const redisLimiter = byName.get('rampart-rate-limit-redis')
  const sent = redisLimiter?.samples.at(-1)?.census?.sent
  targets.push(
    target(
      'redis-commands',
      'Redis rate limiting: Redis commands sent per request',
      redisLimiter?.median.redisCommandsPerRequest,
      '==',
      1,
      'commands',
      sent === undefined ? undefined : `sent in the last census: ${JSON.stringify(sent)}`,
    ),
  )
  targets.push(
    target(
      'redis-server-cpu',
      'Redis rate limiting: server CPU/request',
      ratioToBare('rampart-rate-limit-redis'),
      '<=',
      1.3,
      '× bare',
    ),
  )
  targets.push(
    target(
      'redis-redis-cpu',
      "Redis rate limiting: Redis CPU/request, below @fastify/rate-limit's Redis store",
      between('rampart-rate-limit-redis', 'fastify-rate-limit-redis', 'redisCpuPerRequest'),
      '<',
      1,
      '× @fastify',
    ),
  )
  targets.push(
    target(
      'jwt-cache',
      'JWT, verification cache on, repeated token: server CPU/request',
      ratioToBare('rampart-jwt'),
      '<=',
      1.15,
      '× bare',
    ),
  )
  targets.push(
    target(
      'stack-redis-cpu',
      'Rampart headers + cors + Redis rate-limit + JWT + metrics vs the @fastify equivalent: server CPU/request',
      between('rampart-stack-redis', 'fastify-stack-redis', 'cpuPerRequest'),
      '<=',
      0.45,
      '× @fastify',
    ),
  )
  targets.push(
    target(
      'stack-redis-rps',
      'The same stacks: requests per second',
      between('rampart-stack-redis', 'fastify-stack-redis', 'requestsPerSecond'),
      '>=',
      2,
      '× @fastify',
    ),
  )
  targets.push(
    target(
      'memory-cap',
      `In-memory limiter fed ${memory?.distinctClients.toLocaleString('en-US') ?? '?'} distinct clients: most clients tracked, within its cap`,
      memory?.maxTracked,
      '<=',
      memory?.cap ?? 1_000_000,
      'clients',
    ),
  )
  targets.push(
    target(
      'memory-bytes',
      `In-memory limiter: bytes per tracked client (heap + typed arrays, ${memory?.trackedAtFull.toLocaleString('en-US') ?? '?'} clients)`,
      memory?.bytesPerClient,
      '<=',
      200,
      'bytes',
    ),
  )
  targets.push(
    target(
      'memory-pause',
      'In-memory limiter: longest event-loop delay while its clients expire',
      memory?.expiry.maxDelayMs,
      '<=',
      20,
      'ms',
      'monitorEventLoopDelay: wall time, so it includes the time the thread waited for a core',
    ),
  )
  targets.push(
    target(
      'memory-pause-cpu',
      'In-memory limiter: longest turn of the event loop while its clients expire, in main-thread CPU time',
      memory?.expiry.longestTurnCpuMs,
      '<=',
      20,
      'ms',
      memory === undefined
        ? undefined
        : `at ${memory.expiry.longestTurnAt.toLocaleString('en-US')} clients; longest run-queue wait of a turn ${memory.expiry.longestRunQueueWaitMs} ms`,
    ),
  )
  return targets
}

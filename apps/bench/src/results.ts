import type { MemoryResult } from './memory.js'
import type { MicroResult } from './micro.js'
import type { Machine, Versions } from './system.js'
import type { VariantGroup } from './variants.js'

/** One measurement of one variant in one round. */
export interface Sample {
  readonly round: number
  /** Position in the run (measurements are sequential). */
  readonly sequence: number
  /**
   * Non-bare variants: bare Fastify's figures around this measurement, in the same round (the mean
   * of the bare runs just before and just after it): what its ratios divide by.
   */
  reference?: Partial<Record<Figure, number>>
  /** Completed responses in the measured interval. */
  readonly requests: number
  readonly seconds: number
  /** Server CPU (user + system, all threads) over the interval, µs. */
  readonly cpuMicros: number
  readonly cpuPerRequest: number
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly bytesPerResponse: number
  readonly errors: number
  /** Redis variants: Redis CPU over the interval / requests, µs. */
  readonly redisCpuPerRequest?: number
  /** Redis variants: `INFO commandstats` calls / requests, script-internal commands included. */
  readonly redisCallsPerRequest?: number
  readonly redisCalls?: Readonly<Record<string, number>>
  /** Redis variants: commands the server sent per request (MONITOR census of `censusRequests`). */
  readonly redisCommandsPerRequest?: number
  readonly census?: {
    readonly requests: number
    readonly sent: Readonly<Record<string, number>>
    readonly scripted: Readonly<Record<string, number>>
  }
}

/** The figures a variant is summarised by (medians over rounds). */
export const FIGURES = [
  'cpuPerRequest',
  'requestsPerSecond',
  'p50',
  'p99',
  'bytesPerResponse',
  'redisCpuPerRequest',
  'redisCallsPerRequest',
  'redisCommandsPerRequest',
] as const
export type Figure = (typeof FIGURES)[number]

export interface VariantResult {
  readonly name: string
  readonly description: string
  readonly group: VariantGroup
  readonly redis: boolean
  readonly status: 'measured' | 'unavailable'
  /** Why a variant is unavailable (its construction threw, or Redis is unreachable). */
  readonly reason?: string
  /** The response headers of the verification request (what the variant writes). */
  readonly responseHeaders?: readonly string[]
  readonly samples: readonly Sample[]
  /** Median over its measurements (bare: over every bare run). */
  readonly median: Partial<Record<Figure, number>>
  /** Median over rounds of (figure / bare's figures around it in the same round). */
  readonly ratio: Partial<Record<Figure, number>>
}

export interface Target {
  readonly id: string
  readonly description: string
  /** What was measured (a ratio, a count, bytes, ms), `undefined` when it could not be. */
  readonly measured: number | undefined
  readonly limit: number
  readonly comparison: '<=' | '<' | '>=' | '=='
  readonly unit: string
  readonly met: boolean | undefined
  readonly detail?: string
}

export interface BenchResult {
  readonly schema: 1
  readonly kind: 'full' | 'smoke'
  readonly startedAt: string
  readonly finishedAt: string
  readonly command: string
  readonly settings: {
    readonly rounds: number
    readonly duration: number
    readonly warmup: number
    /** Bare Fastify runs first in each round, after every this many variants, and last. */
    readonly bareEvery: number
    readonly connections: number
    readonly census: number
    readonly privateRedis: boolean
    readonly redis: boolean
    readonly profile: boolean
  }
  readonly machine: Machine
  readonly versions: Versions
  readonly variants: readonly VariantResult[]
  readonly targets: readonly Target[]
  readonly micro?: MicroResult
  readonly memory?: MemoryResult
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** A sample's figure divided by bare's around it, if both are known. */
function toBare(sample: Sample, figure: Figure): number | undefined {
  const value = sample[figure]
  const reference = sample.reference?.[figure]
  return value === undefined || reference === undefined || reference <= 0 ? undefined : value / reference
}

/**
 * Median over rounds of `a / b` for one figure, each first divided by bare's figures around it (so
 * that a change of the machine's speed between the two measurements cancels out). Figures bare
 * has not (Redis CPU) are compared as they are.
 */
export function medianRatio(a: readonly Sample[], b: readonly Sample[], figure: Figure): number | undefined {
  const ratios: number[] = []
  for (const sample of a) {
    const other = b.find((candidate) => candidate.round === sample.round)
    if (other === undefined) continue
    const normalised = sample.reference?.[figure] !== undefined && other.reference?.[figure] !== undefined
    const x = normalised ? toBare(sample, figure) : sample[figure]
    const y = normalised ? toBare(other, figure) : other[figure]
    if (x !== undefined && y !== undefined && y > 0) ratios.push(x / y)
  }
  return median(ratios)
}

/**
 * Sets each non-bare sample's `reference`: the mean of the bare runs just before and just after it
 * in its round (only one when it has no bare run on one side).
 */
export function attachReferences(samples: readonly Sample[], bare: readonly Sample[]): void {
  for (const sample of samples) {
    const sameRound = bare.filter((run) => run.round === sample.round)
    const before = sameRound.filter((run) => run.sequence < sample.sequence).at(-1)
    const after = sameRound.find((run) => run.sequence > sample.sequence)
    const around = [before, after].filter((run): run is Sample => run !== undefined)
    if (around.length === 0) continue
    const reference: Partial<Record<Figure, number>> = {}
    for (const figure of FIGURES) {
      const values = around.map((run) => run[figure]).filter((value): value is number => value !== undefined)
      if (values.length > 0) reference[figure] = values.reduce((sum, value) => sum + value, 0) / values.length
    }
    sample.reference = reference
  }
}

export function summarise(samples: readonly Sample[], isBare: boolean) {
  const medians: Partial<Record<Figure, number>> = {}
  const ratios: Partial<Record<Figure, number>> = {}
  for (const figure of FIGURES) {
    const values = samples.map((sample) => sample[figure]).filter((value): value is number => value !== undefined)
    const value = median(values)
    if (value !== undefined) medians[figure] = value
    const ratio = isBare
      ? value === undefined
        ? undefined
        : 1
      : median(samples.map((sample) => toBare(sample, figure)).filter((r): r is number => r !== undefined))
    if (ratio !== undefined) ratios[figure] = ratio
  }
  return { median: medians, ratio: ratios }
}

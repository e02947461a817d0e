import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'
import type { HealthCheck, HealthCheckResult } from '@rampart/core'
import type { RedisClient } from '@rampart/redis'
import type { Pool } from 'pg'

const MS = 1e6

/**
 * Event-loop delay since the previous run (p50, p99, max in ms); `degraded` from `degradedMs` at
 * p99. The histogram is sampled by Node itself (20 ms resolution), not per request.
 */
export function eventLoopCheck(degradedMs: number): { check: HealthCheck; histogram: IntervalHistogram } {
  const histogram = monitorEventLoopDelay({ resolution: 20 })
  histogram.enable()
  const check = (): HealthCheckResult => {
    const p99 = histogram.count === 0 ? 0 : histogram.percentile(99) / MS
    const detail = {
      delay_p50_ms: histogram.count === 0 ? 0 : Math.round((histogram.percentile(50) / MS) * 10) / 10,
      delay_p99_ms: Math.round(p99 * 10) / 10,
      delay_max_ms: histogram.count === 0 ? 0 : Math.round((histogram.max / MS) * 10) / 10,
    }
    histogram.reset()
    return { status: p99 >= degradedMs ? 'degraded' : 'healthy', detail }
  }
  return { check, histogram }
}

/** Heap in use against V8's limit, and RSS; `degraded` from `degradedRatio` of the limit. */
export function memoryCheck(degradedRatio: number): HealthCheck {
  return () => {
    const heap = getHeapStatistics()
    const { rss } = process.memoryUsage()
    const ratio = heap.used_heap_size / heap.heap_size_limit
    return {
      status: ratio >= degradedRatio ? 'degraded' : 'healthy',
      detail: {
        heap_used_bytes: heap.used_heap_size,
        heap_limit_bytes: heap.heap_size_limit,
        heap_used_ratio: Math.round(ratio * 1000) / 1000,
        rss_bytes: rss,
      },
    }
  }
}

/** `PING` on the client (its command timeout and our check timeout both bound it). */
export function redisCheck(client: RedisClient): HealthCheck {
  return async () => {
    const reply = await client.ping()
    return reply === 'PONG' ? { status: 'healthy' } : { status: 'down', detail: { reply } }
  }
}

/** `SELECT 1` through the pool. */
export function postgresCheck(pool: Pool): HealthCheck {
  return async () => {
    await pool.query('SELECT 1')
    return { status: 'healthy', detail: { total_connections: pool.totalCount, idle_connections: pool.idleCount } }
  }
}

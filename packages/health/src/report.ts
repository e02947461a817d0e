import type { HealthCheck, HealthCheckResult } from '@rampart/core'

export type Status = HealthCheckResult['status']

/** One check's outcome on `/health/detailed`. */
export interface CheckReport {
  readonly status: Status
  /** How long the check took. */
  readonly duration_ms: number
  readonly detail?: Readonly<Record<string, unknown>>
  /** Why it is down: the error's message or `timeout`. */
  readonly error?: string
}

export interface HealthReport {
  /** `down` if any check is down, else `degraded` if any is, else `healthy`. */
  readonly status: Status
  readonly timestamp: string
  readonly uptime_seconds: number
  readonly checks: Readonly<Record<string, CheckReport>>
}

const RANK: Record<Status, number> = { healthy: 0, degraded: 1, down: 2 }

function timeout(ms: number): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined
  const promise = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms)
    timer.unref()
  })
  return { promise, cancel: () => clearTimeout(timer) }
}

/** Runs one check, bounded by `ms`; a throw, a rejection, a bad result or the timeout is `down`. */
export async function runCheck(check: HealthCheck, ms: number): Promise<CheckReport> {
  const started = performance.now()
  const deadline = timeout(ms)
  try {
    const result = await Promise.race([Promise.resolve().then(check), deadline.promise])
    const duration_ms = Math.round((performance.now() - started) * 100) / 100
    if (result === null || typeof result !== 'object' || !(result.status in RANK)) {
      return { status: 'down', duration_ms, error: 'the check returned no status' }
    }
    return result.detail === undefined
      ? { status: result.status, duration_ms }
      : { status: result.status, duration_ms, detail: result.detail }
  } catch (error) {
    const duration_ms = Math.round((performance.now() - started) * 100) / 100
    return { status: 'down', duration_ms, error: error instanceof Error ? error.message : String(error) }
  } finally {
    deadline.cancel()
  }
}

/** Runs every check concurrently and folds their statuses into one. */
export async function runChecks(checks: ReadonlyMap<string, HealthCheck>, ms: number): Promise<HealthReport> {
  const names = [...checks.keys()]
  const results = await Promise.all(names.map((name) => runCheck(checks.get(name) as HealthCheck, ms)))
  let status: Status = 'healthy'
  const byName: Record<string, CheckReport> = {}
  results.forEach((result, index) => {
    byName[names[index] as string] = result
    if (RANK[result.status] > RANK[status]) status = result.status
  })
  return {
    status,
    timestamp: new Date().toISOString(),
    uptime_seconds: Math.round(process.uptime()),
    checks: byName,
  }
}

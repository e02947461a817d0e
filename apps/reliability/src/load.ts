import { Pool } from 'undici'

/** One request of a load mix. */
export interface LoadRequest {
  /** What it stands for in the report (`public`, `login`, `jwt`, ...). */
  readonly kind: string
  readonly method: 'GET' | 'POST'
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: string
}

/** One answered (or failed) request. */
export interface LoadRecord {
  readonly kind: string
  readonly at: number
  readonly ms: number
  /** The status, or 0 when the request failed at the client (connection reset, timeout). */
  readonly status: number
  readonly code: string | undefined
  readonly retryAfter: string | undefined
  readonly contentType: string | undefined
  readonly error: string | undefined
}

/** Summary of a slice of records: counts by kind and status, latency percentiles. */
export interface LoadSummary {
  readonly requests: number
  readonly byKind: Record<string, Record<string, number>>
  readonly codes: Record<string, number>
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number }
  readonly clientErrors: number
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

export function summarise(records: readonly LoadRecord[]): LoadSummary {
  const byKind: Record<string, Record<string, number>> = {}
  const codes: Record<string, number> = {}
  for (const record of records) {
    const kind = (byKind[record.kind] ??= {})
    kind[String(record.status)] = (kind[String(record.status)] ?? 0) + 1
    if (record.code !== undefined) codes[record.code] = (codes[record.code] ?? 0) + 1
  }
  const times = records.map((record) => record.ms).sort((a, b) => a - b)
  return {
    requests: records.length,
    byKind,
    codes,
    latencyMs: {
      p50: round(percentile(times, 50)),
      p95: round(percentile(times, 95)),
      p99: round(percentile(times, 99)),
      max: round(times.at(-1) ?? 0),
    },
    clientErrors: records.filter((record) => record.status === 0).length,
  }
}

const round = (value: number) => Math.round(value * 10) / 10

/**
 * Sends requests from `concurrency` workers over a keep-alive pool until `stop()` is true, and
 * records each one. `next(n)` gives the n-th request of the mix.
 */
export class LoadGenerator {
  readonly records: LoadRecord[] = []
  readonly #pool: Pool
  #stopped = true
  #workers: Promise<void>[] = []
  #sent = 0

  constructor(origin: string, connections = 16) {
    this.#pool = new Pool(origin, { connections, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 })
  }

  /** Starts the workers; they run until `stop()`. */
  start(concurrency: number, next: (n: number) => LoadRequest): void {
    this.#stopped = false
    for (let i = 0; i < concurrency; i++) this.#workers.push(this.#work(next))
  }

  async stop(): Promise<void> {
    this.#stopped = true
    await Promise.all(this.#workers)
    this.#workers = []
  }

  /** One request, recorded like the workers' (for probes between phases). */
  async send(request: LoadRequest): Promise<LoadRecord> {
    const started = performance.now()
    const at = Date.now()
    try {
      const response = await this.#pool.request({
        method: request.method,
        path: request.path,
        headers: { host: 'api.example.com', ...request.headers },
        ...(request.body === undefined ? {} : { body: request.body }),
      })
      const text = await response.body.text()
      const contentType = header(response.headers['content-type'])
      let code: string | undefined
      if (response.statusCode >= 400 && contentType?.includes('json')) {
        try {
          code = (JSON.parse(text) as { code?: string }).code
        } catch {
          code = undefined
        }
      }
      const record: LoadRecord = {
        kind: request.kind,
        at,
        ms: performance.now() - started,
        status: response.statusCode,
        code,
        retryAfter: header(response.headers['retry-after']),
        contentType,
        error: undefined,
      }
      this.records.push(record)
      return record
    } catch (error) {
      const record: LoadRecord = {
        kind: request.kind,
        at,
        ms: performance.now() - started,
        status: 0,
        code: undefined,
        retryAfter: undefined,
        contentType: undefined,
        error: (error as Error).message,
      }
      this.records.push(record)
      return record
    }
  }

  /** Records from `from` (ms since the epoch) up to `to`. */
  between(from: number, to: number = Number.POSITIVE_INFINITY): LoadRecord[] {
    return this.records.filter((record) => record.at >= from && record.at < to)
  }

  async close(): Promise<void> {
    await this.stop()
    await this.#pool.close()
  }

  async #work(next: (n: number) => LoadRequest): Promise<void> {
    while (!this.#stopped) await this.send(next(this.#sent++))
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

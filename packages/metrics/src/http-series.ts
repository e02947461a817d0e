import type { Metric } from 'prom-client'

/** Responses of one status on one series. */
interface StatusCount {
  readonly status: number
  /** The `status` label, built once. */
  readonly label: string
  count: number
}

/**
 * What one route pattern and method accumulated: responses per status and the duration histogram.
 * Plain numbers, so recording a request hashes no labels and allocates nothing once the status is
 * known; the values become Prometheus samples only when scraped.
 */
export class MethodSeries {
  readonly method: string
  readonly route: string
  readonly statuses: StatusCount[] = []
  /** Observations per bucket (not cumulative); the last slot is above every bound (`+Inf` only). */
  readonly buckets: number[]
  count = 0
  sum = 0

  constructor(method: string, route: string, bucketCount: number) {
    this.method = method
    this.route = route
    this.buckets = new Array<number>(bucketCount + 1).fill(0)
  }
}

/** The series of one route pattern, one per method seen (most routes have one). */
export class RouteSeries {
  readonly route: string
  readonly #table: HttpSeries
  #first: MethodSeries | undefined
  #others: Map<string, MethodSeries> | undefined

  constructor(route: string, table: HttpSeries) {
    this.route = route
    this.#table = table
  }

  /** The series of `method` on this route, created on its first request. */
  forMethod(method: string): MethodSeries {
    const first = this.#first
    if (first !== undefined && first.method === method) return first
    return this.#other(method)
  }

  #other(method: string): MethodSeries {
    if (this.#first === undefined) return (this.#first = this.#table.createSeries(method, this.route))
    this.#others ??= new Map()
    let series = this.#others.get(method)
    if (series === undefined) {
      series = this.#table.createSeries(method, this.route)
      this.#others.set(method, series)
    }
    return series
  }
}

/** A sample as prom-client's registry reads it from `metric.get()`. */
interface Sample {
  value: number
  labels: Record<string, string | number>
  metricName?: string
}

/** What prom-client's `Registry` needs of a metric: `get()` for the exposition, `reset()` for `resetMetrics()`. */
export interface CollectedMetric {
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'histogram'
  readonly aggregator: 'sum'
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }>
  reset(): void
}

/**
 * Every HTTP series of one app. Series exist per route pattern and method, and statuses per series
 * are the ones Fastify sent (100-599), so the number of series is bounded by the app's routes, never
 * by the paths clients request.
 */
export class HttpSeries {
  readonly bounds: readonly number[]
  readonly #series: MethodSeries[] = []

  constructor(bounds: readonly number[]) {
    this.bounds = bounds
  }

  /** A route's series holder; its per-method series are created on first use. */
  route(route: string): RouteSeries {
    return new RouteSeries(route, this)
  }

  createSeries(method: string, route: string): MethodSeries {
    const series = new MethodSeries(method, route, this.bounds.length)
    this.#series.push(series)
    return series
  }

  /** Counts one response (or aborted request) of `status`: the hot path. */
  count(series: MethodSeries, status: number): void {
    const statuses = series.statuses
    for (let i = 0; i < statuses.length; i++) {
      const entry = statuses[i] as StatusCount
      if (entry.status === status) {
        entry.count++
        return
      }
    }
    statuses.push({ status, label: String(status), count: 1 })
  }

  /** Observes one duration, in seconds: the hot path. */
  observe(series: MethodSeries, seconds: number): void {
    const bounds = this.bounds
    let bucket = 0
    while (bucket < bounds.length && seconds > (bounds[bucket] as number)) bucket++
    series.buckets[bucket] = (series.buckets[bucket] as number) + 1
    series.count++
    series.sum += seconds
  }

  reset(): void {
    for (const series of this.#series) {
      for (const entry of series.statuses) entry.count = 0
      series.buckets.fill(0)
      series.count = 0
      series.sum = 0
    }
  }

  /** The `http_requests_total` counter, read from the accumulators at scrape time. */
  requestsMetric(name: string, help: string): CollectedMetric {
    const all = this.#series
    return this.#metric(name, help, 'counter', () => {
      const values: Sample[] = []
      for (const series of all) {
        for (const entry of series.statuses) {
          if (entry.count > 0) {
            values.push({
              value: entry.count,
              labels: { method: series.method, route: series.route, status: entry.label },
            })
          }
        }
      }
      return values
    })
  }

  /** The `http_request_duration_seconds` histogram: cumulative `_bucket`s, `_sum` and `_count`. */
  durationMetric(name: string, help: string): CollectedMetric {
    const all = this.#series
    const bounds = this.bounds
    const bucketName = `${name}_bucket`
    const sumName = `${name}_sum`
    const countName = `${name}_count`
    return this.#metric(name, help, 'histogram', () => {
      const values: Sample[] = []
      for (const series of all) {
        if (series.count === 0) continue
        const { method, route } = series
        let cumulative = 0
        for (let i = 0; i < bounds.length; i++) {
          cumulative += series.buckets[i] as number
          values.push({ metricName: bucketName, value: cumulative, labels: { method, route, le: bounds[i] as number } })
        }
        values.push({ metricName: bucketName, value: series.count, labels: { method, route, le: '+Inf' } })
        values.push({ metricName: sumName, value: series.sum, labels: { method, route } })
        values.push({ metricName: countName, value: series.count, labels: { method, route } })
      }
      return values
    })
  }

  #metric(name: string, help: string, type: 'counter' | 'histogram', samples: () => Sample[]): CollectedMetric {
    return {
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name, help, type, aggregator: 'sum', values: samples() }),
      reset: () => this.reset(),
    }
  }
}

/** prom-client types `registerMetric` with its own classes; the registry itself only calls `get()` and `reset()`. */
export function asMetric(metric: CollectedMetric): Metric {
  return metric as unknown as Metric
}

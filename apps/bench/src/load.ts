import { request as httpRequest } from 'node:http'
import autocannon from 'autocannon'

/** What one autocannon run measured. */
export interface LoadResult {
  /** Completed responses. */
  readonly requests: number
  readonly non2xx: number
  readonly errors: number
  readonly seconds: number
  /** Bytes read from the server (status lines, headers and bodies). */
  readonly bytes: number
  /** Latency percentiles, ms (autocannon's histogram). */
  readonly p50: number
  readonly p99: number
}

export function runLoad(options: {
  url: string
  headers: Record<string, string>
  connections: number
  seconds: number
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        headers: options.headers,
        connections: options.connections,
        duration: options.seconds,
        pipelining: 1,
      },
      (error, result) => {
        if (error) {
          reject(error)
          return
        }
        resolve({
          requests: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors,
          seconds: result.duration,
          bytes: result.throughput.total,
          p50: result.latency.p50,
          p99: result.latency.p99,
        })
      },
    )
  })
}

export interface ProbeResponse {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

/** One request over a fresh connection (verification before measuring). */
export function probe(url: string, headers: Record<string, string>): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers, agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
      response.on('error', reject)
    })
    request.setTimeout(10_000, () => request.destroy(new Error(`no answer from ${url} within 10 s`)))
    request.on('error', reject)
    request.end()
  })
}

/** `count` sequential requests (the Redis command census), all of which must be 2xx. */
export async function sequential(url: string, headers: Record<string, string>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await probe(url, headers)
    if (response.status < 200 || response.status >= 300) {
      throw new Error(`census request ${i} got ${response.status}: ${response.body.slice(0, 200)}`)
    }
  }
}

import type { FastifyInstance } from 'fastify'
import { type RawResult, rawRequest } from './raw-http.js'
import type { SuiteApp } from './suite-app.js'

/** The headers @rampart/headers and @rampart/request-id put on every response, refusals included. */
export const SECURITY_HEADERS = [
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cache-control',
  'content-security-policy',
  'x-request-id',
] as const

/** A request made with `inject()`: a well-formed request with any header values. */
export interface InjectSpec {
  readonly method?: string
  readonly url: string
  readonly headers?: Readonly<Record<string, string | string[]>>
  readonly payload?: string | Buffer
  /** The socket peer; default a fresh untrusted address per row, so rows never share a quota. */
  readonly remoteAddress?: string
}

/** A request as raw bytes over a real socket: malformed framing, duplicate headers, CR/LF. */
export interface RawSpec {
  readonly bytes: string | Buffer | readonly (string | Buffer)[]
  /** Pause between parts (a slow client). */
  readonly pauseMs?: number
}

/** What a row's checks see, whichever way the request went. */
export interface CorpusResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface Expectation {
  /** The status, or the statuses any of which is right (e.g. 404 or 429 for a path the router may not match). */
  readonly status: number | readonly number[]
  /** The problem+json `code`. */
  readonly code?: string
  /** Headers that must be present (`true`), equal a string, or match a pattern. */
  readonly present?: Readonly<Record<string, true | string | RegExp>>
  /** Headers that must be absent. */
  readonly absent?: readonly string[]
  /** Whether the reply must be problem+json. Default: for every status >= 400. */
  readonly problem?: boolean
  /** Whether the security headers must be there. Default: true. */
  readonly securityHeaders?: boolean
  /** A check of its own: returns what is wrong, or undefined. */
  readonly check?: (
    response: CorpusResponse,
    context: CorpusContext,
  ) => string | undefined | Promise<string | undefined>
}

export interface CorpusRow {
  /** Unique, kebab-case. */
  readonly id: string
  /** The plugin the attack is aimed at. */
  readonly plugin: string
  /** What the attacker tries. */
  readonly attack: string
  /** Which app: the main one (shield in monitor mode) or the one with shield blocking. */
  readonly app?: 'main' | 'shield'
  readonly inject?: InjectSpec | ((context: CorpusContext, client: string) => InjectSpec | Promise<InjectSpec>)
  readonly raw?: RawSpec | ((context: CorpusContext, client: string) => RawSpec)
  /** State the attack needs first (an exhausted quota, a used code), for this row's client. */
  readonly before?: (context: CorpusContext, client: string) => Promise<void>
  readonly expect: Expectation
  /** A known gap, named after its entry under "found" in RELIABILITY.md: the row runs as a tap todo. */
  readonly todo?: string
}

/** Everything rows need: the apps (listening too) and the credentials a legitimate client has. */
export interface CorpusContext {
  readonly main: SuiteApp
  readonly shield: SuiteApp
  readonly mainPort: number
  readonly shieldPort: number
  /** A valid HS256 token of the suite user (kid hs-1). */
  readonly token: string
  /** A logged-in victim: its session cookie (`sid=...`) and a CSRF token bound to it. */
  readonly victim: { readonly cookie: string; readonly csrfToken: string }
  /** An attacker logged in with its own session (same user, other session). */
  readonly attacker: { readonly cookie: string; readonly csrfToken: string }
  /** Requests an attacker-controlled key server (jku, x5u) received. */
  readonly keyServerHits: () => number
  readonly keyServerUrl: string
  /** Sends `spec` to the app as the row would, for `before` steps. */
  inject(spec: InjectSpec, client: string, app?: 'main' | 'shield'): Promise<CorpusResponse>
}

/** Outcome of one row: every failed expectation. */
export interface RowOutcome {
  readonly response: CorpusResponse | undefined
  readonly failures: readonly string[]
}

export async function injectRequest(app: FastifyInstance, spec: InjectSpec, client: string): Promise<CorpusResponse> {
  const headers: Record<string, string | string[]> = { host: 'api.example.com', ...spec.headers }
  const response = await app.inject({
    method: (spec.method ?? 'GET') as 'GET',
    url: spec.url,
    headers,
    ...(spec.payload === undefined ? {} : { payload: spec.payload }),
    remoteAddress: spec.remoteAddress ?? client,
  })
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined)
      flat[name] = Array.isArray(value) ? value.join(name === 'set-cookie' ? '\n' : ', ') : String(value)
  }
  return { status: response.statusCode, headers: flat, body: response.body }
}

function rawOutcome(result: RawResult): CorpusResponse | string {
  if (result.kind === 'response') return result.response
  return result.kind === 'timeout'
    ? `no response within the timeout (received ${JSON.stringify(result.received.slice(0, 80))})`
    : `connection closed without a response (received ${JSON.stringify(result.received.slice(0, 80))})`
}

/** Runs one row and checks its expectations. Never throws: an exception is a failure of the row. */
export async function runRow(row: CorpusRow, context: CorpusContext, client: string): Promise<RowOutcome> {
  const failures: string[] = []
  let response: CorpusResponse | undefined
  try {
    if (row.before !== undefined) await row.before(context, client)
    if (row.raw !== undefined) {
      const spec = typeof row.raw === 'function' ? row.raw(context, client) : row.raw
      const port = row.app === 'shield' ? context.shieldPort : context.mainPort
      const outcome = rawOutcome(await rawRequest(port, spec.bytes, { pauseMs: spec.pauseMs ?? 0 }))
      if (typeof outcome === 'string') return { response: undefined, failures: [outcome] }
      response = outcome
    } else if (row.inject !== undefined) {
      const spec = typeof row.inject === 'function' ? await row.inject(context, client) : row.inject
      response = await context.inject(spec, client, row.app)
    } else {
      return { response: undefined, failures: ['row has neither `inject` nor `raw`'] }
    }
  } catch (error) {
    return { response, failures: [`threw: ${(error as Error).stack ?? String(error)}`] }
  }
  const expect = row.expect
  const statuses = typeof expect.status === 'number' ? [expect.status] : expect.status
  if (response.status >= 500 && !statuses.includes(response.status)) failures.push(`a ${response.status}`)
  if (!statuses.includes(response.status)) {
    failures.push(`status ${response.status}, expected ${statuses.join(' or ')}: ${response.body.slice(0, 200)}`)
  }
  const isProblem = /^application\/problem\+json/.test(response.headers['content-type'] ?? '')
  const wantProblem = expect.problem ?? response.status >= 400
  if (wantProblem && !isProblem) {
    failures.push(`not problem+json (content-type ${response.headers['content-type'] ?? 'none'})`)
  }
  if (isProblem) {
    let body: { status?: unknown; code?: unknown; requestId?: unknown } | undefined
    try {
      body = JSON.parse(response.body)
    } catch {
      failures.push('problem+json body is not JSON')
    }
    if (body !== undefined) {
      if (body.status !== response.status) failures.push(`problem status ${String(body.status)} != ${response.status}`)
      if (expect.code !== undefined && body.code !== expect.code) {
        failures.push(`code ${String(body.code)}, expected ${expect.code}`)
      }
      if (body.requestId !== undefined && body.requestId !== response.headers['x-request-id']) {
        failures.push('problem requestId differs from X-Request-Id')
      }
    }
  } else if (expect.code !== undefined) {
    failures.push(`expected code ${expect.code}, but the reply is not problem+json`)
  }
  if (expect.securityHeaders ?? true) {
    const missing = SECURITY_HEADERS.filter((name) => response.headers[name] === undefined)
    if (missing.length > 0) failures.push(`security headers missing: ${missing.join(', ')}`)
  }
  for (const [name, wanted] of Object.entries(expect.present ?? {})) {
    const value = response.headers[name]
    if (value === undefined) failures.push(`header ${name} missing`)
    else if (typeof wanted === 'string' && value !== wanted)
      failures.push(`header ${name} is ${value}, expected ${wanted}`)
    else if (wanted instanceof RegExp && !wanted.test(value))
      failures.push(`header ${name} is ${value}, expected ${wanted}`)
  }
  for (const name of expect.absent ?? []) {
    if (response.headers[name] !== undefined) failures.push(`header ${name} present: ${response.headers[name]}`)
  }
  if (expect.check !== undefined) {
    try {
      const problem = await expect.check(response, context)
      if (problem !== undefined) failures.push(problem)
    } catch (error) {
      failures.push(`check threw: ${(error as Error).message}`)
    }
  }
  return { response, failures }
}

/** The JSON body of a response, or undefined. */
export function jsonOf(response: CorpusResponse): Record<string, unknown> | undefined {
  try {
    return JSON.parse(response.body) as Record<string, unknown>
  } catch {
    return undefined
  }
}

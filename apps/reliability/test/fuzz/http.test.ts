import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import t from 'tap'
import { SECURITY_HEADERS } from '../../src/corpus.js'
import { FuzzLog, runs } from '../../src/fuzz.js'
import { rawRequest } from '../../src/raw-http.js'
import { buildSuiteApp } from '../../src/suite-app.js'

// Whole requests against the whole suite (Phase 3 preset, sessions, CSRF, MFA): whatever the
// method, target, headers and body, no 500, and every refusal is problem+json with the security
// headers. Then bytes over a socket: the server answers or closes, and keeps serving.

const log = new FuzzLog('http')
t.teardown(() => log.write())

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => {
  process.off('unhandledRejection', onUnhandled)
})

const ROUTES = [
  '/api/test',
  '/api/echo',
  '/api/upload',
  '/api/auth/login',
  '/api/protected',
  '/api/reports',
  '/api/admin/x',
  '/api/files/a/b',
  '/files/private/x',
  '/api/signed/echo',
  '/api/signed/1',
  '/api/flaky',
  '/app/login',
  '/app/me',
  '/app/settings',
  '/app/mfa/verify',
  '/metrics',
  '/health',
  '/health/detailed',
  '/nope',
]
const segmentJunk = fc.constantFrom(
  '',
  '.',
  '..',
  '%2e%2e',
  '%2F',
  '%00',
  '%zz',
  '%25',
  '%C0%AF',
  ';a=b',
  '\u00e9',
  '~',
  '*',
  ':id',
)
const target = fc
  .tuple(
    fc.constantFrom(...ROUTES),
    fc.array(segmentJunk, { maxLength: 3 }),
    fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
  )
  .map(
    ([route, junk, query]) =>
      `${route}${junk.length === 0 ? '' : `/${junk.join('/')}`}${query === undefined ? '' : `?${encodeURI(query)}`}`,
  )
const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 60,
})
const headerValue = fc.oneof(
  printable,
  fc.constantFrom(
    'application/json',
    'text/plain',
    'application/json; charset=utf-8',
    'null',
    'https://example.com',
    'Bearer x.y.z',
    '0',
    '-1',
    'chunked',
    'cross-site',
  ),
)
const headers = fc.dictionary(
  fc.constantFrom(
    'content-type',
    'content-length',
    'authorization',
    'cookie',
    'origin',
    'x-forwarded-for',
    'x-forwarded-host',
    'x-forwarded-proto',
    'forwarded',
    'x-real-ip',
    'x-request-id',
    'x-api-key',
    'x-csrf-token',
    'sec-fetch-site',
    'x-signature',
    'x-signature-key-id',
    'x-signature-timestamp',
    'x-signature-nonce',
    'access-control-request-method',
    'accept',
    'user-agent',
    'referer',
    'transfer-encoding',
    'host',
  ),
  headerValue,
  { maxKeys: 8 },
)

t.test('requests through inject', async (t) => {
  const { app } = await buildSuiteApp()
  t.teardown(() => app.close())
  const statuses = new Map<number, number>()
  let badUrls = 0
  await log.check(
    t,
    'no 500; every refusal is problem+json with the security headers',
    runs(500),
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
      target,
      headers,
      fc.option(fc.oneof(printable, fc.json()), { nil: undefined }),
      fc.ipV4(),
      async (method, url, requestHeaders, body, remoteAddress) => {
        const response = await app.inject({
          method: method as 'GET',
          url,
          headers: { host: 'api.example.com', ...requestHeaders },
          ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { payload: body }),
          remoteAddress,
        })
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
        if (response.statusCode >= 500 && response.statusCode !== 503) return false
        if (response.statusCode < 400 || method === 'HEAD') return true
        // A target Fastify cannot decode skips every hook; core's problemFrameworkErrors answers it.
        if (response.body.includes('FST_ERR_BAD_URL')) badUrls++
        return (
          /^application\/problem\+json/.test(String(response.headers['content-type'])) &&
          SECURITY_HEADERS.every((name) => response.headers[name] !== undefined)
        )
      },
    ),
  )
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, undecodable targets: ${badUrls}`)
  await log.check(
    t,
    'a target with an escape that is not UTF-8 is refused as problem+json with the security headers',
    runs(100),
    fc.asyncProperty(
      fc.constantFrom('/api/test', '/api/protected', '/nope'),
      fc.constantFrom('%C0%AF', '%FF', '%E0%A4%A', '%ED%A0%80', '%F8%80%80%80%80'),
      async (route, badEscape) => {
        const response = await app.inject({ url: `${route}/${badEscape}`, headers: { host: 'api.example.com' } })
        return (
          response.statusCode === 400 &&
          /^application\/problem\+json/.test(String(response.headers['content-type'])) &&
          SECURITY_HEADERS.every((name) => response.headers[name] !== undefined)
        )
      },
    ),
  )
})

t.test('bytes over a socket', async (t) => {
  const { app } = await buildSuiteApp({ sessions: false, audit: false })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const line = fc.oneof(
    printable,
    fc.string({ unit: 'binary-ascii', maxLength: 60 }),
    fc
      .tuple(fc.constantFrom('Content-Length', 'Transfer-Encoding', 'Host', 'X-Request-Id', 'Expect'), printable)
      .map(([name, value]) => `${name}: ${value}`),
  )
  await log.check(
    t,
    'any head and body: an answer (never a 500) or a closed connection, and the server keeps serving',
    runs(100),
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'G\u00c9T', ''),
      target,
      fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', ''),
      fc.array(line, { maxLength: 6 }),
      fc.string({ unit: 'binary-ascii', maxLength: 100 }),
      async (method, url, version, lines, body) => {
        const head = `${method} ${url} ${version}\r\nHost: api.example.com\r\n${lines.map((text) => `${text}\r\n`).join('')}\r\n`
        const result = await rawRequest(port, Buffer.from(`${head}${body}`, 'latin1'), { timeoutMs: 3000 })
        if (result.kind === 'response' && result.response.status >= 500 && result.response.status !== 503) return false
        const health = await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: api.example.com\r\n\r\n', {
          timeoutMs: 3000,
        })
        return health.kind === 'response' && health.response.status === 200
      },
    ),
  )
  t.same(unhandled, [], 'no unhandled rejection')
})

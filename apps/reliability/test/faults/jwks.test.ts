import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import t from 'tap'
import { EventLoopLag } from '../../src/event-loop.js'
import { forgeJwt } from '../../src/jwt-forge.js'
import { writeResult } from '../../src/results.js'
import { buildSuiteApp } from '../../src/suite-app.js'

// A JWKS endpoint that hangs or returns garbage: tokens of keys already known keep verifying
// (and do not wait for the failing endpoint), a token naming an unknown key is answered within
// the fetch timeout (503: the keys are unavailable, not the token forged), no 500, at most one
// fetch per cooldown however many unknown kids arrive, and a key added at the provider is picked
// up once the endpoint answers again.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ISSUER = 'https://idp.example.com/'
const TIMEOUT = 500
const COOLDOWN = 1000
const TTL = 1000
const SLACK_MS = 300

const KEY_1 = generateKeyPairSync('rsa', { modulusLength: 2048 })
const KEY_2 = generateKeyPairSync('rsa', { modulusLength: 2048 })
const jwk = (key: typeof KEY_1, kid: string) => ({
  ...key.publicKey.export({ format: 'jwk' }),
  kid,
  alg: 'RS256',
  use: 'sig',
})

type Mode =
  | 'ok'
  | 'ok-rotated'
  | 'hang'
  | 'not-json'
  | 'no-keys'
  | 'http-500'
  | 'oversized'
  | 'slow-body'
  | 'redirect'
  | 'symmetric-only'
  | 'empty'

let mode: Mode = 'ok'
let hits = 0
const sockets = new Set<Socket>()
const held = new Set<ServerResponse>()
const server = createServer((_request, response) => {
  hits++
  const json = (status: number, body: string) => {
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    response.end(body)
  }
  switch (mode) {
    case 'ok':
      return json(200, JSON.stringify({ keys: [jwk(KEY_1, 'idp-1')] }))
    case 'ok-rotated':
      return json(200, JSON.stringify({ keys: [jwk(KEY_1, 'idp-1'), jwk(KEY_2, 'idp-2')] }))
    case 'hang':
      held.add(response)
      return
    case 'not-json':
      return json(200, '<html>502 Bad Gateway</html>')
    case 'no-keys':
      return json(200, '{"keys":"none"}')
    case 'http-500':
      return json(500, '{"error":"down"}')
    case 'oversized':
      return json(200, `{"keys":[],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`)
    case 'slow-body': {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.write('{"keys":[')
      held.add(response)
      const drip = setInterval(() => (response.writableEnded ? clearInterval(drip) : response.write(' ')), 100)
      response.on('close', () => clearInterval(drip))
      return
    }
    case 'redirect':
      response.writeHead(302, { location: 'https://evil.example/jwks.json' })
      return response.end()
    case 'symmetric-only':
      return json(200, JSON.stringify({ keys: [{ kty: 'oct', kid: 'idp-2', k: 'c2VjcmV0', alg: 'HS256' }] }))
    case 'empty':
      return json(200, '')
  }
})
server.on('connection', (socket) => {
  sockets.add(socket)
  socket.on('close', () => sockets.delete(socket))
})
t.teardown(
  () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    }),
)

const now = () => Math.floor(Date.now() / 1000)
const token = (key: typeof KEY_1, kid: string) =>
  forgeJwt(
    { alg: 'RS256', kid },
    { sub: 'idp-user', iss: ISSUER, iat: now(), exp: now() + 600, jti: randomUUID() },
    {
      rsa: 'RS256',
      key: key.privateKey,
    },
  )

t.test('a JWKS endpoint that hangs or returns garbage', async (t) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
  const { app } = await buildSuiteApp({
    sessions: false,
    audit: false,
    jwks: { uri, issuers: [ISSUER], algorithms: ['RS256'], ttl: TTL, cooldown: COOLDOWN, timeout: TIMEOUT },
  })
  t.teardown(() => app.close())
  const lag = new EventLoopLag()
  lag.start()
  t.teardown(() => lag.stop())

  const call = async (bearer: string, remoteAddress = '203.0.113.50') => {
    const started = performance.now()
    const response = await app.inject({
      url: '/api/protected',
      headers: { host: 'api.example.com', authorization: `Bearer ${bearer}` },
      remoteAddress,
    })
    let code: string | undefined
    try {
      code = response.json().code
    } catch {
      code = undefined
    }
    return { status: response.statusCode, code, ms: performance.now() - started }
  }

  const first = await call(token(KEY_1, 'idp-1'))
  t.equal(first.status, 200, 'a token of the provider verifies (the JWKS is fetched)')

  const report: Record<string, unknown> = {}
  const FAULTS: Mode[] = [
    'hang',
    'not-json',
    'no-keys',
    'http-500',
    'oversized',
    'slow-body',
    'redirect',
    'symmetric-only',
    'empty',
  ]
  for (const fault of FAULTS) {
    await t.test(`JWKS ${fault}`, async (t) => {
      mode = fault
      await sleep(Math.max(TTL, COOLDOWN) + 50)
      // An unknown key makes the strategy ask the failing endpoint; meanwhile tokens of the known
      // key keep verifying without waiting for it.
      const pending = call(token(KEY_2, 'idp-2'))
      const known = []
      for (let i = 0; i < 10; i++) known.push(await call(token(KEY_1, 'idp-1')))
      const unknown = await pending
      const { maxMs } = lag.read()
      const figures = {
        knownStatuses: [...new Set(known.map((answer) => answer.status))],
        knownSlowestMs: Math.round(Math.max(...known.map((answer) => answer.ms))),
        unknown: { status: unknown.status, code: unknown.code, ms: Math.round(unknown.ms) },
        eventLoopLagMaxMs: maxMs,
      }
      report[fault] = figures
      t.same(figures.knownStatuses, [200], 'tokens of the known key keep verifying')
      t.ok(figures.knownSlowestMs < TIMEOUT, `and never wait for the endpoint (slowest ${figures.knownSlowestMs} ms)`)
      t.equal(unknown.status, 503, 'a token of an unknown key: 503, the keys are unavailable')
      t.equal(unknown.code, 'RAMPART_AUTH_UNAVAILABLE')
      t.ok(
        unknown.ms <= TIMEOUT + maxMs + SLACK_MS,
        `answered in ${Math.round(unknown.ms)} ms (fetch timeout ${TIMEOUT} ms, event loop up to ${maxMs} ms late)`,
      )
      for (const response of held) response.destroy()
      held.clear()
    })
  }

  await t.test('a flood of unknown kids while the endpoint hangs: one fetch per cooldown', async (t) => {
    mode = 'hang'
    await sleep(COOLDOWN + 50)
    const before = hits
    const started = Date.now()
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => call(token(KEY_2, `random-${i}`), `203.0.113.${100 + (i % 50)}`)),
    )
    const elapsed = Date.now() - started
    const fetches = hits - before
    report.flood = {
      requests: answers.length,
      fetches,
      elapsedMs: elapsed,
      statuses: [...new Set(answers.map((a) => a.status))],
    }
    t.ok(
      answers.every((answer) => answer.status === 503 || answer.status === 401),
      'every answer a 503 or a 401, never a 500',
    )
    t.ok(
      fetches <= Math.ceil(elapsed / COOLDOWN) + 1,
      `${fetches} fetches for ${answers.length} unknown kids in ${elapsed} ms`,
    )
    for (const response of held) response.destroy()
    held.clear()
  })

  await t.test('the endpoint answers again, with a new key', async (t) => {
    mode = 'ok-rotated'
    await sleep(COOLDOWN + 50)
    const rotated = await call(token(KEY_2, 'idp-2'))
    const known = await call(token(KEY_1, 'idp-1'))
    report.recovered = { rotated: rotated.status, known: known.status }
    t.equal(rotated.status, 200, 'a token of the key added at the provider verifies')
    t.equal(known.status, 200, 'and the old key still does')
  })
  writeResult('fault-jwks', { timeoutMs: TIMEOUT, cooldownMs: COOLDOWN, ttlMs: TTL, endpointHits: hits, ...report })
})

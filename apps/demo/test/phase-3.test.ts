import { readFileSync } from 'node:fs'
import { signRequest } from '@rampart/signature'
import t from 'tap'
import { AUDIT_FILE, buildApp } from '../src/app.js'
import { DEVELOPMENT_SIGNING_KEY, loadConfig } from '../src/config.js'

async function demo(env: NodeJS.ProcessEnv = {}) {
  // Load shedding off: it answers 503 when this process's event loop lags 500 ms, which a CI machine
  // running several suites at once can cause; @rampart/ddos and the reliability suite test it.
  const app = await buildApp(loadConfig({ SECURITY_LOAD_SHEDDING: 'false', ...env }).config, { logger: false })
  t.teardown(() => app.close())
  return app
}

const TRUSTING = { SECURITY_TRUST_PROXY_HEADERS: 'true' }

t.test('geo: GEO_BLOCKED_COUNTRIES refuses with 403 problem+json; the country is on the request', async (t) => {
  const app = await demo({ ...TRUSTING, GEO_BLOCKED_COUNTRIES: 'RU' })
  const us = await app.inject({ url: '/api/flaky', headers: { 'x-forwarded-for': '8.8.8.8' } })
  t.same(us.json(), { status: 'ok', country: 'US' })
  const ru = await app.inject({ url: '/api/test', headers: { 'x-forwarded-for': '5.255.255.5' } })
  t.equal(ru.statusCode, 403)
  t.equal(ru.json().code, 'RAMPART_GEO_BLOCKED')
  t.ok(ru.headers['x-request-id'])
  const spoofed = await app.inject({
    url: '/api/test',
    remoteAddress: '8.8.4.4',
    headers: { 'x-forwarded-for': '5.255.255.5' },
  })
  t.equal(spoofed.statusCode, 200, 'an untrusted peer cannot pick its country')
  t.equal((await app.inject('/health')).statusCode, 200, 'local clients (private addresses) are allowed')
})

t.test('signed route: unsigned 401, signed with the development key 200, replay 401', async (t) => {
  const app = await demo()
  const body = JSON.stringify({ order: 42 })
  const url = '/api/signed/echo'
  const json = { 'content-type': 'application/json' }
  t.equal((await app.inject({ method: 'POST', url, headers: json, payload: body })).statusCode, 401)
  const headers = { ...signRequest({ ...keyOf(), method: 'POST', url, body }), ...json }
  const signed = await app.inject({ method: 'POST', url, headers, payload: body })
  t.equal(signed.statusCode, 200)
  t.same(signed.json(), { received: { order: 42 }, key_id: 'demo-client' })
  const replay = await app.inject({ method: 'POST', url, headers, payload: body })
  t.equal(replay.statusCode, 401)
  t.equal(replay.json().code, 'RAMPART_SIGNATURE_REPLAYED')
})

function keyOf() {
  return { keyId: DEVELOPMENT_SIGNING_KEY.id, secret: DEVELOPMENT_SIGNING_KEY.secret }
}

t.test(
  'circuit breaker: SECURITY_CIRCUIT_FAILURE_THRESHOLD failures open /api/flaky (503 + Retry-After)',
  async (t) => {
    const app = await demo({ SECURITY_CIRCUIT_FAILURE_THRESHOLD: '2' })
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await app.inject('/api/flaky?fail=1')).statusCode)
    t.same(statuses, [502, 502, 503])
    const open = await app.inject('/api/flaky')
    t.equal(open.statusCode, 503)
    t.ok(Number(open.headers['retry-after']) > 0)
    t.match(open.headers['content-type'], /application\/problem\+json/)
    t.equal((await app.inject('/api/test')).statusCode, 200, 'other routes unaffected')
  },
)

t.test('ddos: SECURITY_DDOS_REQUEST_RATE bans a flooding client with 403; /health is never counted', async (t) => {
  const app = await demo({ SECURITY_DDOS_REQUEST_RATE: '5', SECURITY_RATE_LIMIT_PER_MINUTE: '1000' })
  const remoteAddress = '203.0.113.77'
  const statuses: number[] = []
  for (let i = 0; i < 7; i++) statuses.push((await app.inject({ url: '/api/test', remoteAddress })).statusCode)
  t.ok(statuses.includes(403), `banned: ${statuses.join(',')}`)
  const banned = await app.inject({ url: '/api/test', remoteAddress })
  t.equal(banned.json().code, 'RAMPART_DDOS_BANNED')
  t.ok(banned.headers['retry-after'])
  for (let i = 0; i < 10; i++) t.equal((await app.inject({ url: '/health' })).statusCode, 200)
})

t.test('/metrics and /health/detailed: loopback without METRICS_TOKEN, the token when set', async (t) => {
  const open = await demo()
  const metrics = await open.inject('/metrics')
  t.equal(metrics.statusCode, 200)
  t.match(metrics.body, /http_requests_total/)
  t.equal((await open.inject({ url: '/metrics', remoteAddress: '203.0.113.9' })).statusCode, 403)
  const detail = await open.inject('/health/detailed')
  t.equal(detail.statusCode, 200)
  t.ok(detail.json().checks.memory)

  const token = 'demo-metrics-token-0123456789'
  const closed = await demo({ METRICS_TOKEN: token })
  t.equal((await closed.inject('/metrics')).statusCode, 401)
  t.equal((await closed.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
  t.equal((await closed.inject('/health/detailed')).statusCode, 401)
})

t.test('shield: monitor by default, SECURITY_SHIELD_MODE=block refuses with 403', async (t) => {
  const probe = "/api/test?q=1' UNION SELECT password FROM users--"
  const monitor = await demo()
  t.equal((await monitor.inject(probe)).statusCode, 200)
  const block = await demo({ SECURITY_SHIELD_MODE: 'block' })
  const refused = await block.inject(probe)
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'RAMPART_SHIELD_BLOCKED')
})

t.test('audit: a login attempt is recorded in the JSON-lines file, without the password', async (t) => {
  const app = await demo()
  await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: 'alice', password: 'wrong-password-x' },
  })
  await app.audit.flush(2000)
  const log = readFileSync(AUDIT_FILE, 'utf8')
  t.match(log, /"event_type":"authentication"/)
  t.notMatch(log, /wrong-password-x/)
})

t.test('every phase starts with REDIS_URL set', async (t) => {
  for (const phase of ['1', '2', '3']) {
    const app = await demo({ RAMPART_PHASE: phase, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
    t.equal((await app.inject('/health')).statusCode, 200, `phase ${phase}`)
  }
})

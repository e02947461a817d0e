import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signRequest } from '@rampart/signature'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import t from 'tap'
import rampart, { type PresetOptions } from '../src/index.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const SECRET = randomBytes(32).toString('hex')
const SIGNING_SECRET = randomBytes(32).toString('hex')
const METRICS_TOKEN = 'phase-3-metrics-token-0123456789'
const SECURITY_HEADERS = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'x-request-id']

async function build(options: PresetOptions = {}): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(rampart, {
    phase: 3,
    jwt: { secret: SECRET },
    proxyHeaders: { enabled: true, trustedProxies: ['127.0.0.1'] },
    rateLimit: { perMinute: 1000, perHour: 10_000 },
    geo: { blockedCountries: ['RU'] },
    circuitBreaker: { failureThreshold: 3, recoveryTimeout: 60_000 },
    signature: { keys: { 'client-1': SIGNING_SECRET }, required: ['/api/signed'] },
    metrics: { protection: { bearerToken: METRICS_TOKEN } },
    health: {},
    shield: {},
    ...options,
  })
  app.get('/api/test', async (request) => ({ ip: request.clientAddress.ip, country: request.country ?? null }))
  app.get('/api/flaky', async (_request, reply) => reply.code(500).send({ error: 'down' }))
  app.post('/api/signed/echo', async (request) => ({ received: request.body }))
  await app.ready()
  t.teardown(() => app.close())
  return app
}

t.test('phase 3 is the default phase', async (t) => {
  const app = Fastify()
  await app.register(rampart, { jwt: { secret: SECRET } })
  await app.ready()
  t.teardown(() => app.close())
  t.ok(app.hasDecorator('rampartDdos'), 'ddos registered')
  t.ok(app.hasDecorator('rampartCircuitBreaker'), 'circuit breaker registered')
  t.notOk(app.hasDecorator('rampartMetrics'), 'observability is opt-in')
})

t.test('geo, ddos and the circuit breaker refuse with problem+json and the Phase 1 headers', async (t) => {
  const app = await build()
  const fromUs = await app.inject({ url: '/api/test', headers: { 'x-forwarded-for': '8.8.8.8' } })
  t.equal(fromUs.statusCode, 200)
  t.same(fromUs.json(), { ip: '8.8.8.8', country: 'US' })

  const fromRu = await app.inject({ url: '/api/test', headers: { 'x-forwarded-for': '5.255.255.5' } })
  t.equal(fromRu.statusCode, 403)
  t.equal(fromRu.json().code, 'RAMPART_GEO_BLOCKED')
  t.match(fromRu.headers['content-type'], /application\/problem\+json/)
  for (const name of SECURITY_HEADERS) t.ok(fromRu.headers[name], `geo refusal has ${name}`)

  await app.rampartDdos.ban('198.51.100.66', 60_000)
  const banned = await app.inject({ url: '/api/test', headers: { 'x-forwarded-for': '198.51.100.66' } })
  t.equal(banned.statusCode, 403)
  t.equal(banned.json().code, 'RAMPART_DDOS_BANNED')
  t.ok(banned.headers['retry-after'])

  const statuses: number[] = []
  for (let i = 0; i < 4; i++) statuses.push((await app.inject('/api/flaky')).statusCode)
  t.same(statuses, [500, 500, 500, 503], 'opens after 3 failures')
  const open = await app.inject('/api/flaky')
  t.equal(open.json().code, 'RAMPART_CIRCUIT_BREAKER_OPEN')
  t.ok(Number(open.headers['retry-after']) > 0)
  t.equal((await app.inject('/api/test')).statusCode, 200, 'other routes are not affected')
})

t.test('signatures are required where configured', async (t) => {
  const app = await build()
  const body = JSON.stringify({ amount: 10 })
  const unsigned = await app.inject({
    method: 'POST',
    url: '/api/signed/echo',
    headers: { 'content-type': 'application/json' },
    payload: body,
  })
  t.equal(unsigned.statusCode, 401)
  t.equal(unsigned.json().code, 'RAMPART_SIGNATURE_MISSING')
  const headers = signRequest({
    keyId: 'client-1',
    secret: SIGNING_SECRET,
    method: 'POST',
    url: '/api/signed/echo',
    body,
  })
  const signed = await app.inject({
    method: 'POST',
    url: '/api/signed/echo',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: body,
  })
  t.equal(signed.statusCode, 200)
  t.same(signed.json(), { received: { amount: 10 } })
  const replayed = await app.inject({
    method: 'POST',
    url: '/api/signed/echo',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: body,
  })
  t.equal(replayed.statusCode, 401)
  t.equal(replayed.json().code, 'RAMPART_SIGNATURE_REPLAYED')
})

t.test('observability: metrics count refusals, health sees every plugin, shield monitors, audit records', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-preset-'))
  const alerts: unknown[] = []
  const app = await build({
    audit: { sink: { type: 'file', path: join(dir, 'audit.jsonl') }, flushInterval: 10 },
    alerts: { log: false, rules: { 'large-payloads': false }, onAlert: (alert) => void alerts.push(alert) },
  })
  await app.inject({ url: '/api/test', headers: { 'x-forwarded-for': '5.255.255.5' } })
  const probe = await app.inject({ url: "/api/test?q=' OR 1=1 --" })
  t.equal(probe.statusCode, 200, 'shield monitors by default')

  t.equal((await app.inject('/metrics')).statusCode, 401, '/metrics is protected')
  const metrics = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  t.equal(metrics.statusCode, 200)
  t.match(metrics.body, /rampart_refusals_total\{[^}]*source="geo"[^}]*\} 1/)
  t.match(metrics.body, /security_violations_total\{[^}]*type="sql[_-]?injection|sqli/)

  t.equal((await app.inject('/health')).statusCode, 200)
  const detail = (await app.inject('/health/detailed')).json()
  for (const check of ['event_loop', 'memory', 'ddos', 'circuit-breaker', 'geo:database', 'audit']) {
    t.ok(detail.checks[check], `health check ${check}`)
  }

  await app.audit.flush(2000)
  const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n')
  t.ok(lines.length >= 1, 'the geo refusal and the shield detection are audited')
  t.match(lines.join('\n'), /geo|shield/)
})

t.test('with `redis`, bans and signature nonces are shared by two instances', async (t) => {
  const prefix = `rampart-test:preset3:${randomBytes(6).toString('hex')}:`
  const admin = new Redis(REDIS_URL)
  t.teardown(async () => {
    const keys = await admin.keys(`${prefix}*`)
    if (keys.length > 0) await admin.del(...keys)
    await admin.quit()
  })
  const options: PresetOptions = {
    redis: REDIS_URL,
    rateLimit: { perMinute: 1000, perHour: 10_000, prefix: `${prefix}rl:` },
    ddos: { prefix: `${prefix}ddos:`, redisCheckIntervalMs: 1 },
    signature: { keys: { 'client-1': SIGNING_SECRET }, required: ['/api/signed'], redisPrefix: `${prefix}sig:` },
  }
  const first = await build(options)
  const second = await build(options)
  await first.rampartDdos.ban('192.0.2.201', 60_000)
  const onSecond = await second.inject({ url: '/api/test', headers: { 'x-forwarded-for': '192.0.2.201' } })
  t.equal(onSecond.statusCode, 403, 'a ban on one instance refuses on the other')

  const body = '{}'
  const headers = signRequest({
    keyId: 'client-1',
    secret: SIGNING_SECRET,
    method: 'POST',
    url: '/api/signed/echo',
    body,
  })
  const request = {
    method: 'POST' as const,
    url: '/api/signed/echo',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: body,
  }
  t.equal((await first.inject(request)).statusCode, 200)
  t.equal((await second.inject(request)).statusCode, 401, 'a nonce used on one instance is a replay on the other')
})

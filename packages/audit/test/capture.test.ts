import diagnosticsChannel from 'node:diagnostics_channel'
import { join } from 'node:path'
import { defineRefusal, sendProblem } from '@rampart/core'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import rampartAudit, { type AuditOptions } from '../src/index.js'
import { fakeClock, readLines, tempDir } from './fixtures/helpers.js'

const FORBIDDEN = defineRefusal('rbac', 'FORBIDDEN', 403, 'Forbidden')
const NOT_ALLOWED_AUTH = defineRefusal('auth', 'MISSING', 401, 'Unauthorized')
const TOO_LARGE = defineRefusal('content-guard', 'TOO_LARGE', 413, 'Content Too Large')
const NULL_BYTE = defineRefusal('content-guard', 'NULL_BYTE', 400, 'Bad Request')
const NOT_FOUND = defineRefusal('thing', 'GONE', 410, 'Gone')

function publish(name: string, message: unknown): void {
  diagnosticsChannel.channel(name).publish(message)
}

/** An app whose routes publish what the suite's plugins publish. */
async function build(t: Test, options: AuditOptions = {}) {
  const path = join(await tempDir(t), 'audit.jsonl')
  const app = Fastify()
  await app.register(rampartAudit, { sink: { type: 'file', path }, ...options })
  app.get('/authenticated', async (request) => {
    request.identity = { id: 'u-1', kind: 'user', scopes: [] }
    publish('rampart:auth:authenticated', { request, strategy: 'jwt', identity: request.identity })
    return {}
  })
  app.get('/failed', async (request) => {
    publish('rampart:auth:failed', { request, strategy: 'jwt', reason: 'invalid', description: 'token expired' })
    return {}
  })
  app.get('/api-key', async (request) => {
    const identity = { id: 'key-owner', kind: 'api-key', scopes: [] }
    publish('rampart:api-key:authenticated', { request, keyId: 'k1', identity })
    publish('rampart:api-key:failed', { request, reason: 'invalid', description: 'unknown API key' })
    return {}
  })
  app.get('/refuse/:kind', async (request, reply) => {
    const kind = { forbidden: FORBIDDEN, auth: NOT_ALLOWED_AUTH, large: TOO_LARGE, nul: NULL_BYTE, gone: NOT_FOUND }[
      (request.params as { kind: 'forbidden' }).kind
    ]
    return sendProblem(reply, kind, { detail: 'no' })
  })
  app.get('/shield', async (request) => {
    const mode = (request.query as { mode?: string }).mode ?? 'monitor'
    publish('rampart:shield:detected', { request, rule: 'sql_injection', type: 'query', severity: 'high', mode })
    return {}
  })
  t.teardown(() => app.close())
  return {
    app,
    path,
    records: async () => {
      await app.audit.flush()
      return readLines(path)
    },
  }
}

t.test('authentication events become authentication records', async (t) => {
  const { app, records } = await build(t)
  await app.inject({ url: '/authenticated', remoteAddress: '203.0.113.5' })
  await app.inject({ url: '/failed?x=1', remoteAddress: '203.0.113.5' })
  await app.inject({ url: '/api-key' })
  const [ok, failed, keyOk, keyFailed] = await records()
  t.match(ok, {
    event_type: 'authentication',
    action: 'authenticate',
    status: 'success',
    user_id: 'u-1',
    ip_address: '203.0.113.5',
    details: { strategy: 'jwt', kind: 'user', method: 'GET', url: '/authenticated' },
  })
  t.match(failed, {
    event_type: 'authentication',
    status: 'failure',
    user_id: null,
    details: { strategy: 'jwt', reason: 'invalid', description: 'token expired', url: '/failed?x=1' },
  })
  t.match(keyOk, { status: 'success', user_id: 'key-owner', details: { strategy: 'api-key', key_id: 'k1' } })
  t.match(keyFailed, { status: 'failure', details: { strategy: 'api-key', reason: 'invalid' } })
})

t.test('refusals: the configured statuses and codes, not the sources recorded elsewhere', async (t) => {
  const { app, records } = await build(t, {
    capture: { refusals: { statuses: [403], codes: ['RAMPART_CONTENT_GUARD_NULL_BYTE'] } },
  })
  for (const kind of ['forbidden', 'auth', 'large', 'nul', 'gone']) {
    const response = await app.inject(`/refuse/${kind}`)
    t.ok(response.statusCode >= 400, 'the refusal is sent as usual')
  }
  const lines = await records()
  t.same(
    lines.map((line) => (line.details as { code: string }).code),
    ['RAMPART_RBAC_FORBIDDEN', 'RAMPART_CONTENT_GUARD_NULL_BYTE'],
  )
  t.match(lines[0], {
    event_type: 'security_incident',
    action: 'refuse',
    status: 'alert',
    details: { incident_type: 'refusal', source: 'rbac', status_code: 403, method: 'GET', url: '/refuse/forbidden' },
  })
})

t.test('shield detections become security incidents', async (t) => {
  const { app, records } = await build(t, { capture: { repeatWindow: 0 } })
  await app.inject('/shield')
  await app.inject('/shield?mode=block')
  const [monitor, block] = await records()
  t.match(monitor, {
    event_type: 'security_incident',
    action: 'detect',
    status: 'alert',
    details: {
      incident_type: 'suspicious_request',
      rule: 'sql_injection',
      type: 'query',
      severity: 'high',
      mode: 'monitor',
    },
  })
  t.match(block, { action: 'block', details: { mode: 'block', url: '/shield?mode=block' } })
})

t.test('captures can be turned off', async (t) => {
  const { app, records } = await build(t, {
    capture: { authenticated: false, authFailures: false, refusals: false, shield: false },
  })
  for (const url of ['/authenticated', '/failed', '/api-key', '/refuse/forbidden', '/shield']) await app.inject(url)
  t.same(await records(), [])
})

t.test('odd messages are skipped or recorded with what is there, never thrown on', async (t) => {
  const { app, records } = await build(t)
  const other = Fastify()
  let otherRequest: unknown
  other.get('/', async (request) => {
    otherRequest = request
    return {}
  })
  await other.inject('/')
  t.teardown(() => other.close())
  app.get('/odd', async (request) => {
    publish('rampart:auth:failed', null)
    publish('rampart:auth:failed', 'text')
    publish('rampart:auth:failed', { reason: 'no request' })
    publish('rampart:auth:failed', { request: null })
    publish('rampart:auth:failed', { request: otherRequest, reason: 'another app' })
    publish('rampart:core:refusal', { request, status: '403', code: 42, source: null })
    publish('rampart:auth:authenticated', { request, identity: null, strategy: { name: 'jwt' } })
    publish('rampart:shield:detected', { request, rule: ['x'], severity: 3, mode: undefined })
    return { ok: true }
  })
  const response = await app.inject('/odd')
  t.equal(response.statusCode, 200)
  const lines = await records()
  t.equal(lines.length, 2, 'the two messages that concern this app and are recordable')
  t.match(lines[0], { event_type: 'authentication', status: 'success', user_id: null, details: { strategy: null } })
  t.match(lines[1], { event_type: 'security_incident', details: { rule: null, severity: '3', mode: null } })
})

t.test('repeats within the window are counted, then recorded as one summary', async (t) => {
  const clock = fakeClock()
  const { app, records } = await build(t, { now: clock.now, capture: { repeatWindow: 60_000 } })
  for (let i = 0; i < 5; i++) await app.inject({ url: '/refuse/forbidden', remoteAddress: '203.0.113.1' })
  await app.inject({ url: '/refuse/forbidden', remoteAddress: '203.0.113.2' })
  clock.advance(30_000)
  await app.inject({ url: '/refuse/forbidden', remoteAddress: '203.0.113.1' })
  t.equal((await records()).length, 2, 'one record per client so far')
  clock.advance(30_000)
  await app.inject({ url: '/refuse/forbidden', remoteAddress: '203.0.113.1' })
  const lines = await records()
  t.equal(lines.length, 4)
  const [first, , summary, next] = lines
  t.match(summary, {
    event_type: 'security_incident',
    ip_address: '203.0.113.1',
    details: {
      code: 'RAMPART_RBAC_FORBIDDEN',
      repeated: { count: 5, of: first?.id, last_at: '2025-01-01T00:00:30.000Z' },
    },
  })
  t.match(next, { ip_address: '203.0.113.1', timestamp: '2025-01-01T00:01:00.000Z' })
  t.notOk((next?.details as Record<string, unknown> | undefined)?.repeated)
})

t.test('windows still open at close are summarised before the sink closes', async (t) => {
  const path = join(await tempDir(t), 'audit.jsonl')
  const app = Fastify()
  await app.register(rampartAudit, { sink: { type: 'file', path } })
  app.get('/', async (request) => {
    publish('rampart:auth:failed', { request, strategy: 'jwt', reason: 'invalid', description: 'bad' })
    return {}
  })
  for (let i = 0; i < 3; i++) await app.inject('/')
  await app.close()
  const lines = await readLines(path)
  t.equal(lines.length, 2)
  t.match(lines[1], { status: 'failure', details: { reason: 'invalid', repeated: { count: 2 } } })
})

t.test('after close nothing is captured any more', async (t) => {
  const { app } = await build(t)
  await app.ready()
  // A request-like object of this app (its `server.server` is the app's HTTP server).
  const fake = { server: app, headers: {}, method: 'GET', url: '/' }
  publish('rampart:auth:failed', { request: fake, reason: 'before' })
  t.equal(app.audit.stats().recorded, 1, 'captured while open')
  await app.close()
  t.doesNotThrow(() => publish('rampart:auth:failed', { request: fake, reason: 'late' }))
  t.match(app.audit.stats(), { recorded: 1, dropped: 0 }, 'not even offered to the closed buffer')
})

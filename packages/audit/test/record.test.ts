import { join } from 'node:path'
import Fastify, { type FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'
import rampartAudit, { type AuditOptions, type AuditRecord, recordedChannel } from '../src/index.js'
import { fakeClock, readLines, tempDir } from './fixtures/helpers.js'

async function build(t: Test, options: AuditOptions = {}) {
  const path = join(await tempDir(t), 'audit.jsonl')
  const app = Fastify({ genReqId: () => 'req-1' })
  await app.register(rampartAudit, { sink: { type: 'file', path }, ...options })
  app.addHook('preHandler', async (request) => {
    const user = request.headers['x-user']
    if (typeof user === 'string') request.identity = { id: user, kind: 'user', scopes: [] }
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

t.test('fields left out are filled from the request', async (t) => {
  const clock = fakeClock()
  const { app, records } = await build(t, {
    now: clock.now,
    maxUserAgentLength: 20,
    sessionId: (request) => (request.headers['x-session'] as string | undefined) ?? null,
  })
  app.get('/posts/:id', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    app.audit.resourceAccess(request, { resourceType: 'post', resourceId: request.params.id, action: 'read' })
    return {}
  })
  await app.inject({
    url: '/posts/42',
    remoteAddress: '203.0.113.7',
    headers: { 'user-agent': 'A'.repeat(100), 'x-user': 'u-1', 'x-session': 's-9' },
  })
  const [record] = await records()
  t.same(Object.keys(record as object), [
    'id',
    'timestamp',
    'event_type',
    'user_id',
    'ip_address',
    'user_agent',
    'resource_type',
    'resource_id',
    'action',
    'status',
    'details',
    'session_id',
    'request_id',
    'prev_hash',
    'hash',
  ])
  t.match(record, {
    id: /^[0-9a-f-]{36}$/,
    timestamp: '2025-01-01T00:00:00.000Z',
    event_type: 'resource_access',
    user_id: 'u-1',
    ip_address: '203.0.113.7',
    user_agent: `${'A'.repeat(20)}…[+80 chars]`,
    resource_type: 'post',
    resource_id: '42',
    action: 'read',
    status: 'success',
    details: {},
    session_id: 's-9',
    request_id: 'req-1',
  })
})

t.test('given fields win over the request; absent ones are null', async (t) => {
  const { app, records } = await build(t)
  app.get('/', async (request) => {
    app.audit.record(
      { eventType: 'custom', userId: 7, ipAddress: '198.51.100.1', userAgent: null, requestId: 'r' },
      request,
    )
    app.audit.record({ eventType: 'no-request' })
    return {}
  })
  await app.inject({ url: '/', headers: { 'x-user': 'u-1', 'user-agent': 'ua' } })
  const [first, second] = await records()
  t.match(first, { event_type: 'custom', user_id: '7', ip_address: '198.51.100.1', user_agent: null, request_id: 'r' })
  t.match(second, {
    event_type: 'no-request',
    user_id: null,
    ip_address: null,
    user_agent: null,
    request_id: null,
    session_id: null,
    resource_type: null,
    status: 'success',
  })
})

t.test('the typed helpers: authentication, resource access, incidents, admin actions', async (t) => {
  const { app, records } = await build(t)
  app.post('/login', async (request) => {
    const { username, password } = request.body as { username: string; password: string }
    const success = password === 'right'
    app.audit.authentication(request, { success, username, method: 'password', details: { password } })
    return { success }
  })
  app.post('/admin/users/:id/role', async (request) => {
    app.audit.adminAction(request, {
      action: 'grant-role',
      resourceType: 'user',
      resourceId: (request.params as { id: string }).id,
      details: { role: 'admin' },
    })
    return {}
  })
  app.get('/probe', async (request) => {
    app.audit.securityIncident(request, { incidentType: 'probe', details: { path: '/.env' } })
    return {}
  })
  await app.inject({ method: 'POST', url: '/login', payload: { username: 'ann', password: 'wrong' } })
  await app.inject({ method: 'POST', url: '/login', payload: { username: 'ann', password: 'right' } })
  await app.inject({ method: 'POST', url: '/admin/users/9/role', headers: { 'x-user': 'admin-1' } })
  await app.inject({ url: '/probe' })
  const [failure, success, admin, incident] = await records()
  // The seed's own test: an "authentication" event with status "failure" after a wrong password.
  t.match(failure, {
    event_type: 'authentication',
    action: 'login',
    status: 'failure',
    details: { username: 'ann', method: 'password', password: '[REDACTED]' },
  })
  t.match(success, { event_type: 'authentication', status: 'success' })
  t.match(admin, {
    event_type: 'admin_action',
    user_id: 'admin-1',
    action: 'grant-role',
    resource_type: 'user',
    resource_id: '9',
    details: { role: 'admin' },
  })
  t.match(incident, {
    event_type: 'security_incident',
    action: 'detect',
    status: 'alert',
    details: { incident_type: 'probe', path: '/.env' },
  })
})

t.test('something that is not an event throws RAMPART_AUDIT_INVALID_EVENT', async (t) => {
  const { app } = await build(t)
  await app.ready()
  const bad: [unknown, RegExp][] = [
    [null, /must be an object/],
    [{}, /eventType must be/],
    [{ eventType: '' }, /eventType must be/],
    [{ eventType: 'x'.repeat(65) }, /eventType must be/],
    [{ eventType: 'x', details: [1] }, /details must be an object/],
    [{ eventType: 'x', details: 'text' }, /details must be an object/],
    [{ eventType: 'x', userId: { id: 1 } }, /userId must be a string/],
    [{ eventType: 'x', timestamp: 'yesterday' }, /timestamp must be a valid Date/],
    [{ eventType: 'x', user_id: '1' }, /"user_id" is not a field/],
  ]
  for (const [event, message] of bad) {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong events
    t.throws(() => app.audit.record(event as any), { code: 'RAMPART_AUDIT_INVALID_EVENT', message }, String(message))
  }
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong details
  t.throws(() => app.audit.securityIncident(null, { incidentType: 'x', details: 'no' as any }), {
    code: 'RAMPART_AUDIT_INVALID_EVENT',
  })
  t.equal(app.audit.stats().recorded, 0)
})

t.test('rampart:audit:recorded carries each accepted record and its request', async (t) => {
  const { app } = await build(t)
  const seen: [AuditRecord, FastifyRequest | null][] = []
  t.teardown(recordedChannel.subscribe(({ record, request }) => seen.push([record, request])))
  app.get('/', async (request) => {
    const record = app.audit.record({ eventType: 'x' }, request)
    t.equal(seen.at(-1)?.[0], record)
    t.equal(seen.at(-1)?.[1], request)
    return {}
  })
  await app.inject('/')
  t.equal(seen.length, 1)
})

t.test('a given timestamp is kept; stats count what was recorded and written', async (t) => {
  const { app, records } = await build(t)
  await app.ready()
  app.audit.record({ eventType: 'import', timestamp: new Date('2020-02-02T02:02:02.000Z') })
  t.match(app.audit.stats(), { sink: 'file', recorded: 1, buffered: 1, written: 0, dropped: 0 })
  const [record] = await records()
  t.equal(record?.timestamp, '2020-02-02T02:02:02.000Z')
  t.match(app.audit.stats(), { recorded: 1, buffered: 0, written: 1, dropped: 0, consecutiveFailures: 0 })
})

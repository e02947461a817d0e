import diagnosticsChannel from 'node:diagnostics_channel'
import { defineRefusal, type Identity, problemRepliesPlugin, sendProblem } from '@rampart/core'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'
import rampartMetrics, { SUBSCRIBED_CHANNELS } from '../src/index.js'
import { find, scrape, value } from './fixtures/exposition.js'

const publish = (name: string, message: unknown): void => diagnosticsChannel.channel(name).publish(message)

type Emit = (request: FastifyRequest, reply: FastifyReply) => void

/** An app whose `/emit/:id` route runs `emit` with its request, and answers 200 unless `emit` replied. */
async function build(t: Test) {
  const logs: string[] = []
  const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => logs.push(line) } } })
  await app.register(problemRepliesPlugin)
  await app.register(rampartMetrics)
  let emit: Emit = () => {}
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    emit(request, reply)
    return reply.sent ? reply : 'ok'
  }
  app.get('/emit/:id', handler)
  app.get('/other', handler)
  t.teardown(() => app.close())
  return {
    app,
    logs,
    async run(next: Emit, url = '/emit/1') {
      emit = next
      return app.inject(url)
    },
  }
}

const identity = (kind: Identity['kind']): Identity => ({ id: 'x', kind, scopes: [] })

t.test('every refusal is counted by source, code and status', async (t) => {
  const { app, run } = await build(t)
  const exceeded = defineRefusal('rate-limit', 'EXCEEDED', 429, 'Too Many Requests')
  t.equal((await run((_request, reply) => sendProblem(reply, exceeded))).statusCode, 429)
  t.equal((await app.inject('/nowhere')).statusCode, 404, "problemRepliesPlugin's 404 is a refusal too")
  const { samples } = await scrape(app)
  t.equal(
    value(samples, 'rampart_refusals_total', {
      source: 'rate-limit',
      code: 'RAMPART_RATE_LIMIT_EXCEEDED',
      status: '429',
    }),
    1,
  )
  t.equal(
    value(samples, 'rampart_refusals_total', { source: 'core', code: 'RAMPART_CORE_NOT_FOUND', status: '404' }),
    1,
  )
  t.same(find(samples, 'security_violations_total'), [], 'a rate limit or a 404 is no violation')
})

t.test('refusals of content-guard, geo, signature, trusted-host and cors count as violations', async (t) => {
  const { app, run } = await build(t)
  const kinds = [
    defineRefusal('content-guard', 'TOO_LARGE', 413, 'Content Too Large'),
    defineRefusal('content-guard', 'NULL_BYTE', 400, 'Bad Request'),
    defineRefusal('content-guard', 'SOMETHING_NEW', 400, 'Bad Request'),
    defineRefusal('geo', 'BLOCKED', 403, 'Forbidden'),
    defineRefusal('signature', 'INVALID', 401, 'Unauthorized'),
    defineRefusal('signature', 'REPLAYED', 401, 'Unauthorized'),
    defineRefusal('signature', 'UNAVAILABLE', 503, 'Service Unavailable'),
    defineRefusal('trusted-host', 'MISSING', 400, 'Bad Request'),
    defineRefusal('trusted-host', 'NOT_ALLOWED', 400, 'Bad Request'),
    defineRefusal('cors', 'ORIGIN_NOT_ALLOWED', 403, 'Forbidden'),
    defineRefusal('shield', 'BLOCKED', 403, 'Forbidden'),
    defineRefusal('auth', 'INSUFFICIENT_SCOPE', 403, 'Forbidden'),
  ]
  for (const kind of kinds) await run((_request, reply) => sendProblem(reply, kind))
  const { samples } = await scrape(app)
  const violation = (type: string, severity: string) => value(samples, 'security_violations_total', { type, severity })
  t.equal(violation('payload_too_large', 'low'), 1)
  t.equal(violation('null_byte', 'medium'), 1)
  t.equal(violation('invalid_content', 'low'), 1, "a content-guard code not in the map gets the source's default")
  t.equal(violation('geo_blocked', 'low'), 1)
  t.equal(violation('invalid_signature', 'high'), 1)
  t.equal(violation('replayed_request', 'high'), 1)
  t.equal(violation('missing_host', 'low'), 1)
  t.equal(violation('invalid_host', 'medium'), 1)
  t.equal(violation('cors_rejected', 'low'), 1)
  t.equal(
    find(samples, 'security_violations_total').length,
    9,
    "the shield's, auth's and the signature store's outage (503) are not",
  )
  t.equal(find(samples, 'rampart_refusals_total').length, kinds.length, 'every refusal is a refusal')
})

t.test('rate-limit hits by route pattern and client type, once per request', async (t) => {
  const { app, run } = await build(t)
  const exceeded = (request: FastifyRequest, extra: object = {}) =>
    publish(SUBSCRIBED_CHANNELS.rateLimitExceeded, { request, policy: 'minute', shadow: false, ...extra })
  await run((request) => exceeded(request), '/emit/1')
  await run((request) => exceeded(request), '/emit/2')
  await run((request) => {
    request.identity = identity('user')
    exceeded(request)
    exceeded(request, { policy: 'hour' }) // one request over two policies is one hit
  })
  await run((request) => {
    request.identity = identity('api-key')
    exceeded(request)
  }, '/other')
  await run((request) => exceeded(request, { shadow: true }))
  const { samples } = await scrape(app)
  t.equal(value(samples, 'rate_limit_hits_total', { route: '/emit/:id', client_type: 'anonymous' }), 2)
  t.equal(value(samples, 'rate_limit_hits_total', { route: '/emit/:id', client_type: 'user' }), 1)
  t.equal(value(samples, 'rate_limit_hits_total', { route: '/other', client_type: 'api-key' }), 1)
  t.equal(
    value(samples, 'rampart_rate_limit_shadow_hits_total', { route: '/emit/:id', client_type: 'anonymous' }),
    1,
    'shadow hits apart: the request went through',
  )
})

t.test('a rate-limit hit on an unmatched path is labelled "unmatched"', async (t) => {
  const app = Fastify()
  await app.register(rampartMetrics)
  app.addHook('onRequest', async (request) => {
    publish(SUBSCRIBED_CHANNELS.rateLimitExceeded, { request, shadow: false })
  })
  t.teardown(() => app.close())
  await app.inject('/scanner/wp-login.php')
  const { samples } = await scrape(app)
  t.equal(value(samples, 'rate_limit_hits_total', { route: 'unmatched', client_type: 'anonymous' }), 1)
})

t.test('authentication outcomes by result and method', async (t) => {
  const { app, run } = await build(t)
  const authenticated = (strategy: string) => (request: FastifyRequest) =>
    publish(SUBSCRIBED_CHANNELS.authAuthenticated, { request, strategy, identity: identity('user') })
  const failed = (strategy: string | null, reason: string) => (request: FastifyRequest) =>
    publish(SUBSCRIBED_CHANNELS.authFailed, { request, strategy, reason, description: 'x' })
  await run(authenticated('jwt'))
  await run(authenticated('jwt'))
  await run(authenticated('jwt+api-key'))
  await run(failed(null, 'missing'))
  await run(failed(null, 'incomplete'))
  await run(failed('jwt', 'invalid'))
  await run(failed('jwt', 'insufficient-scope'))
  await run(failed('api-key', 'unavailable'))
  await run(failed('jwt', 'a-reason-from-the-future'))
  await run((request) =>
    publish(SUBSCRIBED_CHANNELS.apiKeyAuthenticated, { request, keyId: 'k', identity: identity('api-key') }),
  )
  await run((request) => publish(SUBSCRIBED_CHANNELS.apiKeyFailed, { request, reason: 'invalid', description: 'x' }))
  const { samples } = await scrape(app)
  const attempts = (result: string, method: string) => value(samples, 'auth_attempts_total', { result, method })
  t.equal(attempts('success', 'jwt'), 2)
  t.equal(attempts('success', 'jwt+api-key'), 1)
  t.equal(attempts('failed', 'none'), 2, 'missing and incomplete credentials name no strategy')
  t.equal(attempts('failed', 'jwt'), 2, 'invalid, and an unknown reason, are failures')
  t.equal(attempts('forbidden', 'jwt'), 1)
  t.equal(attempts('unavailable', 'api-key'), 1)
  t.equal(attempts('success', 'api-key'), 1, 'the standalone api-key plugin')
  t.equal(attempts('failed', 'api-key'), 1)
})

t.test('shield detections are violations, in monitor mode too', async (t) => {
  const { app, run } = await build(t)
  const detected = (type: string, severity: string, mode: string) => (request: FastifyRequest) =>
    publish(SUBSCRIBED_CHANNELS.shieldDetected, { request, rule: type, type, severity, mode })
  await run(detected('sql_injection', 'high', 'monitor'))
  await run(detected('sql_injection', 'high', 'block'))
  await run(detected('path_traversal', 'medium', 'monitor'))
  const { samples } = await scrape(app)
  t.equal(value(samples, 'security_violations_total', { type: 'sql_injection', severity: 'high' }), 2)
  t.equal(value(samples, 'security_violations_total', { type: 'path_traversal', severity: 'medium' }), 1)
})

t.test('circuit breaker state per route, and its transitions', async (t) => {
  const { app, run } = await build(t)
  const state = (route: string, from: string, to: string) => (request: FastifyRequest) =>
    publish(SUBSCRIBED_CHANNELS.circuitBreakerState, { request, route, from, to })
  await run(state('/api/pay', 'closed', 'open'))
  let { samples } = await scrape(app)
  t.equal(value(samples, 'rampart_circuit_breaker_state', { route: '/api/pay' }), 2)
  await run(state('/api/pay', 'open', 'half-open'))
  ;({ samples } = await scrape(app))
  t.equal(value(samples, 'rampart_circuit_breaker_state', { route: '/api/pay' }), 1)
  await run(state('/api/pay', 'half-open', 'closed'))
  await run(state('/api/pay', 'closed', 'melted'))
  // a state change with no request (a timer closing the breaker) cannot be attributed: every app records it
  publish(SUBSCRIBED_CHANNELS.circuitBreakerState, { route: '/api/ship', from: 'closed', to: 'open' })
  ;({ samples } = await scrape(app))
  t.equal(value(samples, 'rampart_circuit_breaker_state', { route: '/api/pay' }), 0, 'an unknown state moves no gauge')
  t.equal(value(samples, 'rampart_circuit_breaker_transitions_total', { route: '/api/pay', to: 'melted' }), 1)
  t.equal(value(samples, 'rampart_circuit_breaker_state', { route: '/api/ship' }), 2)
  t.equal(value(samples, 'rampart_circuit_breaker_transitions_total', { route: '/api/pay', to: 'open' }), 1)
  t.equal(value(samples, 'rampart_circuit_breaker_transitions_total', { route: '/api/pay', to: 'closed' }), 1)
  t.equal(value(samples, 'rampart_circuit_breaker_transitions_total', { route: '/api/pay', to: 'half-open' }), 1)
})

t.test('load shedding gauge: the level, else active as 1/0', async (t) => {
  const { app } = await build(t)
  const shedding = async () => value((await scrape(app)).samples, 'rampart_ddos_shedding')
  t.equal(await shedding(), 0)
  publish(SUBSCRIBED_CHANNELS.ddosShedding, { active: true, level: 2, reason: 'event-loop-delay' })
  t.equal(await shedding(), 2)
  publish(SUBSCRIBED_CHANNELS.ddosShedding, { active: true, level: 1, reason: 'recovered' })
  t.equal(await shedding(), 1)
  publish(SUBSCRIBED_CHANNELS.ddosShedding, { active: false, level: 0, reason: 'recovered' })
  t.equal(await shedding(), 0)
  publish(SUBSCRIBED_CHANNELS.ddosShedding, { active: true })
  t.equal(await shedding(), 1, 'no level: active is 1')
  publish(SUBSCRIBED_CHANNELS.ddosShedding, { active: 'yes', level: 7 })
  t.equal(await shedding(), 1, 'an unknown level and a non-boolean change nothing')
  const other = Fastify()
  await other.register(rampartMetrics)
  t.teardown(() => other.close())
  publish(SUBSCRIBED_CHANNELS.ddosShedding, { active: false, server: other })
  t.equal(await shedding(), 1, "another app's message, named by `server`")
  publish(SUBSCRIBED_CHANNELS.ddosShedding, { active: false, server: app })
  t.equal(await shedding(), 0, 'a message naming this app by `server`')
})

t.test('messages are read defensively: odd fields are "unknown", odd messages are ignored', async (t) => {
  const { app, run, logs } = await build(t)
  await run((request) => publish(SUBSCRIBED_CHANNELS.refusal, { request, source: 42n, code: '', status: null }))
  await run((request) => publish(SUBSCRIBED_CHANNELS.shieldDetected, { request, type: 'x'.repeat(500) }))
  await run((request) => publish(SUBSCRIBED_CHANNELS.authFailed, { request }))
  for (const message of [null, undefined, 'refused', 7, { request: {} }, { request: null }, {}]) {
    for (const name of Object.values(SUBSCRIBED_CHANNELS)) {
      if (name === SUBSCRIBED_CHANNELS.circuitBreakerState || name === SUBSCRIBED_CHANNELS.ddosShedding) continue
      publish(name, message)
    }
  }
  // a message whose fields throw when read must not become an uncaught exception in the publisher
  const hostile = {
    get request(): never {
      throw new Error('hostile getter')
    },
  }
  t.doesNotThrow(() => publish(SUBSCRIBED_CHANNELS.refusal, hostile))
  t.doesNotThrow(() => publish(SUBSCRIBED_CHANNELS.refusal, hostile))
  await new Promise((resolve) => setImmediate(resolve))
  const { samples } = await scrape(app)
  t.equal(value(samples, 'rampart_refusals_total', { source: 'unknown', code: 'unknown', status: 'unknown' }), 1)
  t.equal(value(samples, 'security_violations_total', { type: 'unknown', severity: 'unknown' }), 1)
  t.equal(value(samples, 'auth_attempts_total', { result: 'failed', method: 'none' }), 1)
  t.equal(find(samples, 'rampart_refusals_total').length, 1, 'messages without a request of this app count nothing')
  t.equal(logs.filter((line) => line.includes('could not be counted')).length, 1, 'logged once')
})

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough, Writable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import Fastify from 'fastify'
import t from 'tap'
import rampartCircuitBreaker, { type StateEvent, stateChannel } from '../src/index.js'
import { build, Gate, hit } from './fixtures/backend.js'

/** A pino destination keeping every line, parsed. */
function logLines(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.length > 0) lines.push(JSON.parse(line))
      callback()
    },
  })
  return { stream, lines }
}

t.test('a request running over the route timeout is a failure, even if it answers 200', async (t) => {
  const { app, behave } = await build({ failureThreshold: 2, timeout: 1000 })
  const events: StateEvent[] = []
  t.teardown(stateChannel.subscribe((event) => events.push(event)))
  behave('a', { takes: 1000 })
  t.same(await hit(app, '/a/1', 3), [200, 200, 200], 'exactly the timeout is not over it')
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.consecutiveFailures, 0)
  behave('a', { takes: 1001 })
  t.same(await hit(app, '/a/1', 2), [200, 200], 'the slow answers are delivered (no abort by default)')
  t.same(await hit(app, '/a/1'), [503])
  t.same(events, [{ route: 'GET /a/:id', from: 'closed', to: 'open', reason: 'consecutive-failures' }])
})

t.test('timeout is off by default: slow requests are not failures', async (t) => {
  const { app, behave } = await build({ failureThreshold: 1 })
  behave('a', { takes: 3_600_000 })
  t.same(await hit(app, '/a/1', 3), [200, 200, 200])
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'closed')
})

t.test('a per-route timeout', async (t) => {
  const { app, behave } = await build({ failureThreshold: 1 }, { timeout: 500 })
  behave('tuned', { takes: 600 })
  behave('b', { takes: 600 })
  t.same(await hit(app, '/b', 2), [200, 200])
  t.same(await hit(app, '/tuned', 2), [200, 503])
})

t.test('a slow probe is a failed probe', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 1000, timeout: 100 })
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  clock.advance(1000)
  behave('a', { takes: 101 })
  t.same(await hit(app, '/a/1', 2), [200, 503])
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open')
})

t.test('abortOnTimeout: 503 problem+json when the timeout elapses; the late result is dropped quietly', async (t) => {
  const { stream, lines } = logLines()
  const { app, behave } = await build(
    { failureThreshold: 2, timeout: 30, abortOnTimeout: true },
    {},
    {
      logger: { level: 'warn', stream },
    },
  )
  const gate = new Gate()
  behave('a', { hold: gate })
  const started = Date.now()
  const response = await app.inject('/a/1')
  t.ok(Date.now() - started >= 25, 'answered by the timer, not the handler')
  t.equal(response.statusCode, 503)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.equal(response.headers['retry-after'], '1')
  t.match(response.json(), {
    type: 'https://rampart.dev/problems/circuit-breaker/timeout',
    code: 'RAMPART_CIRCUIT_BREAKER_TIMEOUT',
    status: 503,
    detail: 'The request did not complete within 30 ms.',
  })
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.consecutiveFailures, 1, 'counted once, as a timeout')
  gate.release()
  await delay(20) // let the released handler return into the void
  t.same(
    lines.filter((line) => (line.level as number) >= 40),
    [],
    'no "reply already sent" warning',
  )
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.consecutiveFailures, 1, 'the late 200 changes nothing')

  const second = await app.inject('/a/2')
  gate.release()
  t.equal(second.statusCode, 503)
  t.match(second.json(), { code: 'RAMPART_CIRCUIT_BREAKER_TIMEOUT', retryAfter: 60 }, 'this timeout opened it')
  t.equal(second.headers['retry-after'], '60')
  t.equal((await app.inject('/a/3')).json().code, 'RAMPART_CIRCUIT_BREAKER_OPEN')
})

t.test('abortOnTimeout: a handler throwing after the timeout cannot answer twice', async (t) => {
  const { app, behave } = await build({ failureThreshold: 5, timeout: 20, abortOnTimeout: true })
  const gate = new Gate()
  behave('a', { hold: gate, throws: 0 })
  const response = await app.inject('/a/1')
  t.equal(response.statusCode, 503)
  gate.release()
  await delay(20)
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.consecutiveFailures, 1)
})

t.test('abortOnTimeout: fast requests are untouched and their timers cleared', async (t) => {
  const { app, behave } = await build({ failureThreshold: 1, timeout: 20, abortOnTimeout: true })
  behave('a', { status: 200 })
  t.same(await hit(app, '/a/1', 20), Array(20).fill(200))
  await delay(40)
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'closed', 'no timer fired after the fact')
})

t.test('a socket timeout (onTimeout) counts as a failure', async (t) => {
  const { app, behave } = await build({ failureThreshold: 1 }, {}, { connectionTimeout: 50 })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const gate = new Gate()
  t.teardown(async () => {
    gate.release()
    await app.close()
  })
  behave('a', { hold: gate })
  const port = (app.server.address() as AddressInfo).port
  await new Promise<void>((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/a/1' })
    request.on('error', () => resolve())
    request.on('close', () => resolve())
  })
  for (let i = 0; i < 200 && app.rampartCircuitBreaker.state('GET /a/:id')?.state !== 'open'; i++) await delay(10)
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open')
})

t.test('abortOnTimeout: a response already streaming is not cut, and counts as a timeout when it ends', async (t) => {
  const app = Fastify()
  await app.register(rampartCircuitBreaker, { failureThreshold: 1, timeout: 20, abortOnTimeout: true, now: () => 0 })
  const gate = new Gate()
  app.get('/stream', async (_request, reply) => {
    const body = new PassThrough()
    body.write('first chunk, ')
    gate.wait().then(() => body.end('last chunk'))
    return reply.type('text/plain').send(body)
  })
  const pending = app.inject('/stream')
  await gate.arrived(1)
  await delay(60) // the 20 ms timer, set earlier, fires first
  gate.release()
  const response = await pending
  t.equal(response.statusCode, 200)
  t.equal(response.body, 'first chunk, last chunk', 'the stream was not cut')
  t.equal(app.rampartCircuitBreaker.state('GET /stream')?.state, 'open', 'counted as a timeout (the clock stood still)')
})

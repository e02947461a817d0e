// Regressions against the seed's CircuitBreakerMiddleware (000_9f53a597c972e559.txt, advanced.py).
import t from 'tap'
import { type StateEvent, stateChannel } from '../src/index.js'
import { build, Gate, hit } from './fixtures/backend.js'

t.test('seed: half-open let ALL traffic through; here only the probes pass', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 5, recoveryTimeout: 60_000 })
  behave('a', { status: 500 })
  await hit(app, '/a/1', 5)
  clock.advance(60_000)
  const gate = new Gate()
  behave('a', { hold: gate, status: 500 })
  const probe = app.inject('/a/1')
  await gate.arrived(1)
  const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => app.inject(`/a/${i}`)))
  t.same(
    burst.map((response) => response.statusCode),
    Array(20).fill(503),
  )
  t.equal(gate.entered, 1, 'the failing backend saw one request, not 21')
  gate.release()
  t.equal((await probe).statusCode, 500)
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open')
})

t.test('seed: a probe that never finished left the circuit half-open (and open to all) for ever', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 1000 })
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  clock.advance(1000)
  const gate = new Gate()
  behave('a', { hold: gate })
  const hung = app.inject('/a/1')
  await gate.arrived(1)
  clock.advance(1001)
  await hit(app, '/a/1')
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open')
  clock.advance(1000)
  behave('a', {})
  t.same(await hit(app, '/a/1', 2), [200, 200], 'and it recovers with a fresh probe')
  gate.release()
  await hung
})

t.test('seed: one breaker per raw path (/users/1, /users/2, ...): unbounded and never tripping', async (t) => {
  const { app, behave } = await build({ failureThreshold: 5 })
  behave('a', { status: 500 })
  const statuses: number[] = []
  for (let id = 0; id < 10; id++) statuses.push(...(await hit(app, `/a/${id}`)))
  t.same(statuses, [500, 500, 500, 500, 500, 503, 503, 503, 503, 503])
  t.equal(app.rampartCircuitBreaker.states().length, 4, 'one per declared route, not per path')
})

t.test('seed: Retry-After was always the full recovery_timeout; here it counts down', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 60_000 })
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  clock.advance(45_000)
  t.equal((await app.inject('/a/1')).headers['retry-after'], '15')
})

t.test('seed: the request whose error opened the circuit got a 503 instead of its own error', async (t) => {
  const { app, behave } = await build({ failureThreshold: 1 })
  behave('a', { throws: 0 })
  const response = await app.inject('/a/1')
  t.equal(response.statusCode, 500, 'the error is answered by the error handler as usual')
  t.equal((await app.inject('/a/1')).json().code, 'RAMPART_CIRCUIT_BREAKER_OPEN', 'later requests are refused')
})

t.test('seed: only opening was reported; here every transition is an event', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 1000 })
  const events: string[] = []
  t.teardown(stateChannel.subscribe((event: StateEvent) => events.push(`${event.from}>${event.to}`)))
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  clock.advance(1000)
  await hit(app, '/a/1')
  clock.advance(1000)
  behave('a', {})
  await hit(app, '/a/1')
  t.same(events, ['closed>open', 'open>half-open', 'half-open>open', 'open>half-open', 'half-open>closed'])
})

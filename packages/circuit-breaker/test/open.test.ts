import { refusalChannel } from '@rampart/core'
import t, { type Test } from 'tap'
import { type RejectedEvent, rejectedChannel, type StateEvent, stateChannel } from '../src/index.js'
import { build, hit } from './fixtures/backend.js'

function record<T extends object>(
  t: Test,
  channel: { subscribe: (listener: (message: T) => void) => () => void },
): T[] {
  const events: T[] = []
  t.teardown(channel.subscribe((event) => events.push(event)))
  return events
}

t.test('opens after failureThreshold consecutive failures (default 5)', async (t) => {
  const { app, behave } = await build()
  const states = record<StateEvent>(t, stateChannel)
  behave('a', { status: 500 })
  t.same(await hit(app, '/a/1', 4), [500, 500, 500, 500])
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'closed')
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.consecutiveFailures, 4)
  t.same(await hit(app, '/a/1'), [500], 'the fifth failure reaches the handler and opens the circuit')
  t.same(states, [{ route: 'GET /a/:id', from: 'closed', to: 'open', reason: 'consecutive-failures' }])
  behave('a', { status: 200 })
  t.same(await hit(app, '/a/1', 3), [503, 503, 503], 'the handler is not called while open')
})

t.test('a success resets the consecutive count', async (t) => {
  const { app, behave } = await build({ failureThreshold: 3, failureRateThreshold: false })
  for (let round = 0; round < 5; round++) {
    behave('a', { status: 502 })
    t.same(await hit(app, '/a/1', 2), [502, 502])
    behave('a', { status: 200 })
    t.same(await hit(app, '/a/1'), [200])
  }
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'closed')
  behave('a', { status: 502 })
  await hit(app, '/a/1', 3)
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open')
})

t.test('while open: 503 problem+json, code RAMPART_CIRCUIT_BREAKER_OPEN, Retry-After until half-open', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 2, recoveryTimeout: 30_000 })
  const rejected = record<RejectedEvent>(t, rejectedChannel)
  const refusals = record<{ code: string; status: number; source: string }>(t, refusalChannel)
  behave('a', { status: 500 })
  await hit(app, '/a/1', 2)
  const first = await app.inject('/a/7')
  t.equal(first.statusCode, 503)
  t.match(first.headers['content-type'], /^application\/problem\+json/)
  t.equal(first.headers['retry-after'], '30')
  t.match(first.json(), {
    type: 'https://rampart.dev/problems/circuit-breaker/open',
    title: 'Service Unavailable',
    status: 503,
    code: 'RAMPART_CIRCUIT_BREAKER_OPEN',
    state: 'open',
    retryAfter: 30,
  })
  clock.advance(12_500)
  t.equal((await app.inject('/a/7')).headers['retry-after'], '18', 'counts down with the clock (rounded up)')
  clock.advance(17_000)
  t.equal((await app.inject('/a/7')).headers['retry-after'], '1', 'never 0 while still open')
  t.equal(rejected.length, 3)
  t.match(rejected[0], { route: 'GET /a/:id', state: 'open' })
  t.equal(rejected[0]?.request.url, '/a/7')
  t.same(
    refusals.map((refusal) => [refusal.status, refusal.code, refusal.source]),
    Array(3).fill([503, 'RAMPART_CIRCUIT_BREAKER_OPEN', 'circuit-breaker']),
  )
})

t.test('failures: 5xx and thrown errors; not 4xx, not errors answered with a 4xx', async (t) => {
  const { app, behave } = await build({ failureThreshold: 3, failureRateThreshold: false })
  const state = () => app.rampartCircuitBreaker.state('GET /a/:id')
  behave('a', { status: 404 })
  await hit(app, '/a/1', 10)
  behave('a', { status: 429 })
  await hit(app, '/a/1', 10)
  behave('a', { throws: 400 })
  t.same(await hit(app, '/a/1', 10), Array(10).fill(400), "a thrown client error is the client's doing")
  t.equal(state()?.consecutiveFailures, 0)
  behave('a', { throws: 0 })
  t.same(await hit(app, '/a/1'), [500])
  behave('a', { throws: 503 })
  t.same(await hit(app, '/a/1'), [503])
  t.equal(state()?.consecutiveFailures, 2)
  behave('a', { status: 504 })
  await hit(app, '/a/1')
  t.equal(state()?.state, 'open')
})

t.test('failureStatuses: a list, or a predicate of (status, error)', async (t) => {
  t.test('a list: only those statuses (and thrown 5xx errors) fail', async (t) => {
    const { app, behave } = await build({ failureThreshold: 2, failureStatuses: [502, 429] })
    behave('a', { status: 500 })
    await hit(app, '/a/1', 5)
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.consecutiveFailures, 0)
    behave('a', { status: 429 })
    await hit(app, '/a/1')
    behave('a', { throws: 0 })
    await hit(app, '/a/1')
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open')
  })
  t.test('a predicate sees the status and the thrown error', async (t) => {
    const seen: [number, string | undefined][] = []
    const { app, behave } = await build({
      failureThreshold: 2,
      failureStatuses: (status, error) => {
        seen.push([status, error?.message])
        return error !== undefined
      },
    })
    behave('a', { status: 500 })
    await hit(app, '/a/1', 3)
    behave('a', { throws: 418 })
    await hit(app, '/a/1', 2)
    t.same(seen, [
      [500, undefined],
      [500, undefined],
      [500, undefined],
      [418, 'a failed'],
      [418, 'a failed'],
    ])
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open')
  })
  t.test('a predicate that throws is logged and the 5xx rule used', async (t) => {
    const { app, behave } = await build({
      failureThreshold: 2,
      failureStatuses: () => {
        throw new Error('broken predicate')
      },
    })
    behave('a', { status: 200 })
    t.same(await hit(app, '/a/1', 3), [200, 200, 200])
    behave('a', { status: 500 })
    await hit(app, '/a/1', 2)
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open')
  })
})

t.test("the breaker's own 503s never count", async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 2, recoveryTimeout: 1000 })
  const states = record<StateEvent>(t, stateChannel)
  behave('a', { status: 500 })
  await hit(app, '/a/1', 2)
  t.same(await hit(app, '/a/1', 50), Array(50).fill(503))
  clock.advance(1000)
  behave('a', { status: 200 })
  t.same(await hit(app, '/a/1', 3), [200, 200, 200], 'one probe succeeds and the circuit closes')
  t.same(
    states.map((event) => event.to),
    ['open', 'half-open', 'closed'],
  )
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.consecutiveFailures, 0)
})

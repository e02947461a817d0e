import t, { type Test } from 'tap'
import { type StateEvent, stateChannel } from '../src/index.js'
import { build, Gate, hit } from './fixtures/backend.js'

function transitions(t: Test): string[] {
  const events: string[] = []
  t.teardown(stateChannel.subscribe((event: StateEvent) => events.push(`${event.from}>${event.to}:${event.reason}`)))
  return events
}

t.test('after recoveryTimeout one probe goes through (default), the others get 503', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 10_000 })
  const events = transitions(t)
  const state = () => app.rampartCircuitBreaker.state('GET /a/:id')
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  clock.advance(9_999)
  t.same(await hit(app, '/a/1'), [503], 'still open 1 ms before the recovery timeout')
  clock.advance(1)
  const gate = new Gate()
  behave('a', { hold: gate, status: 200 })
  const probe = app.inject('/a/1')
  await gate.arrived(1)
  t.match(state(), { state: 'half-open', probesInFlight: 1 })
  const others = await Promise.all([app.inject('/a/2'), app.inject('/a/3'), app.inject('/a/4')])
  for (const other of others) {
    t.equal(other.statusCode, 503)
    t.equal(other.headers['retry-after'], '1')
    t.match(other.json(), { code: 'RAMPART_CIRCUIT_BREAKER_OPEN', state: 'half-open' })
  }
  t.equal(gate.entered, 1, 'only the probe reached the handler')
  gate.release()
  t.equal((await probe).statusCode, 200)
  t.equal(state()?.state, 'closed', 'a successful probe closes the circuit')
  behave('a', {})
  t.same(await hit(app, '/a/1', 3), [200, 200, 200])
  t.same(events, [
    'closed>open:consecutive-failures',
    'open>half-open:recovery-timeout',
    'half-open>closed:probes-succeeded',
  ])
})

t.test('halfOpenMaxProbes lets that many through at once; successThreshold successes close', async (t) => {
  const { app, clock, behave } = await build({
    failureThreshold: 1,
    recoveryTimeout: 1000,
    halfOpenMaxProbes: 2,
    successThreshold: 3,
  })
  const state = () => app.rampartCircuitBreaker.state('GET /a/:id')
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  clock.advance(1000)
  const gate = new Gate()
  behave('a', { hold: gate })
  const probes = [app.inject('/a/1'), app.inject('/a/2')]
  await gate.arrived(2)
  t.same(await hit(app, '/a/3', 2), [503, 503])
  t.match(state(), { state: 'half-open', probesInFlight: 2, probeSuccesses: 0 })
  gate.release()
  t.same(
    (await Promise.all(probes)).map((response) => response.statusCode),
    [200, 200],
  )
  t.match(state(), { state: 'half-open', probesInFlight: 0, probeSuccesses: 2 })
  behave('a', {})
  t.same(await hit(app, '/a/5'), [200])
  t.match(state(), { state: 'closed', probeSuccesses: 0 })
})

t.test('a failed probe reopens the circuit for a full recoveryTimeout', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 20_000, successThreshold: 2 })
  const events = transitions(t)
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  clock.advance(20_000)
  behave('a', { status: 200 })
  t.same(await hit(app, '/a/1'), [200], 'first probe succeeds, one more needed')
  behave('a', { throws: 0 })
  t.same(await hit(app, '/a/1'), [500], 'second probe throws')
  const refused = await app.inject('/a/1')
  t.equal(refused.statusCode, 503)
  t.equal(refused.headers['retry-after'], '20')
  t.match(app.rampartCircuitBreaker.state('GET /a/:id'), { state: 'open', openedAt: clock.time, retryAfter: 20 })
  t.same(events, ['closed>open:consecutive-failures', 'open>half-open:recovery-timeout', 'half-open>open:probe-failed'])
  clock.advance(20_000)
  behave('a', {})
  t.same(await hit(app, '/a/1', 3), [200, 200, 200])
  t.equal(events.at(-1), 'half-open>closed:probes-succeeded')
})

t.test('outcomes of requests admitted before a transition are ignored', async (t) => {
  t.test('a probe finishing after another probe reopened the circuit', async (t) => {
    const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 1000, halfOpenMaxProbes: 2 })
    behave('a', { status: 500 })
    await hit(app, '/a/1')
    clock.advance(1000)
    const slow = new Gate()
    const fast = new Gate()
    behave('a', { hold: slow })
    const late = app.inject('/a/1')
    await slow.arrived(1)
    behave('a', { hold: fast, status: 500 })
    const failing = app.inject('/a/2')
    await fast.arrived(1)
    fast.release()
    t.equal((await failing).statusCode, 500)
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open')
    slow.release()
    t.equal((await late).statusCode, 200, 'the late probe succeeds...')
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open', '...but closes nothing')
  })
  t.test('a request admitted while closed, finishing while half-open, is not a probe', async (t) => {
    const { app, clock, behave } = await build({ failureThreshold: 2, recoveryTimeout: 1000 })
    const gate = new Gate()
    behave('a', { hold: gate })
    const early = app.inject('/a/1')
    await gate.arrived(1)
    behave('a', { status: 500 })
    await hit(app, '/a/2', 2)
    clock.advance(1000)
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'half-open')
    gate.release()
    t.equal((await early).statusCode, 200)
    t.match(app.rampartCircuitBreaker.state('GET /a/:id'), { state: 'half-open', probesInFlight: 0 })
    behave('a', {})
    t.same(await hit(app, '/a/3'), [200], 'the probe slot is still free')
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'closed')
  })
})

t.test('a probe that never reports back is failed after its lease: the breaker cannot stick half-open', async (t) => {
  t.test('lease = recoveryTimeout without a timeout', async (t) => {
    const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 5000 })
    const events = transitions(t)
    behave('a', { status: 500 })
    await hit(app, '/a/1')
    clock.advance(5000)
    const gate = new Gate()
    behave('a', { hold: gate })
    const lost = app.inject('/a/1')
    await gate.arrived(1)
    clock.advance(5000)
    t.same(await hit(app, '/a/2'), [503], 'at the lease: still waiting for the probe')
    clock.advance(1)
    t.same(await hit(app, '/a/2'), [503], 'past it: the probe counts as failed')
    t.equal(events.at(-1), 'half-open>open:probe-timeout')
    clock.advance(5000)
    behave('a', {})
    t.same(await hit(app, '/a/3'), [200], 'a new probe after the recovery timeout')
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'closed')
    gate.release()
    await lost
    t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'closed', 'the lost probe changes nothing')
  })
  t.test('lease = timeout when the route has one', async (t) => {
    const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 60_000, timeout: 2000 })
    const events = transitions(t)
    behave('a', { status: 500 })
    await hit(app, '/a/1')
    clock.advance(60_000)
    const gate = new Gate()
    behave('a', { hold: gate })
    const lost = app.inject('/a/1')
    await gate.arrived(1)
    clock.advance(2001)
    t.same(await hit(app, '/a/2'), [503])
    t.equal(events.at(-1), 'half-open>open:probe-timeout')
    gate.release()
    await lost
  })
})

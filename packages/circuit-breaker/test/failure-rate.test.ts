import t from 'tap'
import { type StateEvent, stateChannel } from '../src/index.js'
import { build, hit } from './fixtures/backend.js'

// Failures interleaved with successes never reach a consecutive threshold; only the rate can open.
async function alternate(app: Parameters<typeof hit>[0], behave: (route: string, b: object) => void, pairs: number) {
  for (let i = 0; i < pairs; i++) {
    behave('a', { status: 500 })
    await hit(app, '/a/1')
    behave('a', { status: 200 })
    await hit(app, '/a/1')
  }
}

t.test('the failure rate opens only once minimumVolume requests are in the window', async (t) => {
  const { app, behave } = await build({ failureThreshold: false, minimumVolume: 20, failureRateThreshold: 0.5 })
  const events: StateEvent[] = []
  t.teardown(stateChannel.subscribe((event) => events.push(event)))
  behave('a', { status: 500 })
  t.same(await hit(app, '/a/1', 19), Array(19).fill(500), '100% failures, but only 19 requests')
  t.match(app.rampartCircuitBreaker.state('GET /a/:id'), {
    state: 'closed',
    requests: 19,
    failures: 19,
    failureRate: 1,
  })
  t.same(await hit(app, '/a/1'), [500], 'the 20th request reaches the handler...')
  t.same(await hit(app, '/a/1'), [503], '...and opens the circuit')
  t.same(events, [{ route: 'GET /a/:id', from: 'closed', to: 'open', reason: 'failure-rate' }])
})

t.test('opens at the threshold rate, not below it', async (t) => {
  const { app, behave } = await build({ failureThreshold: 3, minimumVolume: 10, failureRateThreshold: 0.5 })
  behave('a', { status: 200 })
  await hit(app, '/a/1', 2)
  await alternate(app, behave, 4)
  t.match(app.rampartCircuitBreaker.state('GET /a/:id'), { state: 'closed', requests: 10, failures: 4 })
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  t.match(app.rampartCircuitBreaker.state('GET /a/:id'), { state: 'closed', requests: 11, failures: 5 }, '45%')
  await hit(app, '/a/1')
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.state, 'open', '6 of 12: 50%')
})

t.test('rate exactly at the threshold opens; consecutive failures never reached', async (t) => {
  const { app, behave } = await build({ failureThreshold: 3, minimumVolume: 10, failureRateThreshold: 0.5 })
  await alternate(app, behave, 4)
  t.match(app.rampartCircuitBreaker.state('GET /a/:id'), { state: 'closed', requests: 8, failures: 4 })
  behave('a', { status: 200 })
  await hit(app, '/a/1')
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  t.match(app.rampartCircuitBreaker.state('GET /a/:id'), { state: 'open' }, '5 failures of 10 = 50%')
})

t.test('failures older than the rolling window no longer count', async (t) => {
  const { app, clock, behave } = await build({
    failureThreshold: false,
    minimumVolume: 10,
    failureRateThreshold: 0.5,
    rollingWindow: 10_000,
    rollingBuckets: 10,
  })
  const state = () => app.rampartCircuitBreaker.state('GET /a/:id')
  behave('a', { status: 500 })
  await hit(app, '/a/1', 9)
  t.match(state(), { requests: 9, failures: 9 })
  clock.advance(10_000)
  t.match(state(), { state: 'closed', requests: 0, failures: 0 }, 'a whole window later they are gone')
  behave('a', { status: 200 })
  await hit(app, '/a/1', 9)
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  t.match(state(), { state: 'closed', requests: 10, failures: 1 }, 'the old failures did not add up with the new')
})

t.test('the window slides bucket by bucket', async (t) => {
  const { app, clock, behave } = await build({
    failureThreshold: false,
    minimumVolume: 4,
    failureRateThreshold: 0.75,
    rollingWindow: 4000,
    rollingBuckets: 4,
  })
  const state = () => app.rampartCircuitBreaker.state('GET /a/:id')
  clock.time = 1_000_000 // on a bucket boundary
  behave('a', { status: 200 })
  await hit(app, '/a/1')
  clock.advance(1000)
  behave('a', { status: 500 })
  await hit(app, '/a/1', 2)
  t.match(state(), { requests: 3, failures: 2 })
  clock.advance(3000)
  t.match(state(), { requests: 2, failures: 2 }, 'the first bucket (the success) has dropped out')
  await hit(app, '/a/1')
  t.match(state(), { state: 'closed', requests: 3, failures: 3 }, 'with the old success it would be 3 of 4: open')
  await hit(app, '/a/1')
  t.equal(state()?.state, 'open', '4 of 4')
})

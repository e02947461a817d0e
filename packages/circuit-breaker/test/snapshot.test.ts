import { healthChecks } from '@rampart/core'
import t from 'tap'
import { build, hit } from './fixtures/backend.js'

t.test('state(route) and states(): frozen snapshots by route label', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 2, recoveryTimeout: 10_000 })
  t.same(app.rampartCircuitBreaker.state('GET /a/:id'), {
    route: 'GET /a/:id',
    state: 'closed',
    consecutiveFailures: 0,
    requests: 0,
    failures: 0,
    failureRate: 0,
    openedAt: null,
    retryAfter: null,
    probesInFlight: 0,
    probeSuccesses: 0,
  })
  t.equal(app.rampartCircuitBreaker.state('/a/:id'), undefined, 'labels carry the method')
  t.equal(app.rampartCircuitBreaker.state('GET /a/1'), undefined, 'and the pattern, not a path')
  behave('a', { status: 200 })
  await hit(app, '/a/1', 3)
  behave('a', { status: 500 })
  await hit(app, '/a/1')
  const closed = app.rampartCircuitBreaker.state('GET /a/:id')
  t.match(closed, { state: 'closed', consecutiveFailures: 1, requests: 4, failures: 1, failureRate: 0.25 })
  t.ok(Object.isFrozen(closed))
  await hit(app, '/a/1')
  clock.advance(4000)
  t.match(app.rampartCircuitBreaker.state('GET /a/:id'), {
    state: 'open',
    openedAt: clock.time - 4000,
    retryAfter: 6,
    requests: 0,
  })
  clock.advance(6000)
  t.match(app.rampartCircuitBreaker.state('GET /a/:id'), { state: 'half-open', retryAfter: null })
  t.same(
    app.rampartCircuitBreaker.states().map((snapshot) => [snapshot.route, snapshot.state]),
    [
      ['GET /a/:id', 'half-open'],
      ['GET /b', 'closed'],
      ['POST /c', 'closed'],
      ['GET /tuned', 'closed'],
    ],
  )
})

t.test('a health check reports open and half-open circuits as degraded', async (t) => {
  const { app, clock, behave } = await build({ failureThreshold: 1, recoveryTimeout: 1000 })
  const check = healthChecks(app).get('circuit-breaker')
  if (check === undefined) return t.fail('no health check registered')
  t.same(await check(), { status: 'healthy', detail: { open: [], halfOpen: [] } })
  behave('a', { status: 500 })
  behave('b', { status: 500 })
  await hit(app, '/a/1')
  clock.advance(500)
  await hit(app, '/b')
  t.same(await check(), { status: 'degraded', detail: { open: ['GET /a/:id', 'GET /b'], halfOpen: [] } })
  clock.advance(500)
  t.same(await check(), { status: 'degraded', detail: { open: ['GET /b'], halfOpen: ['GET /a/:id'] } })
})

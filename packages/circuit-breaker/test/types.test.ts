import Fastify from 'fastify'
import t from 'tap'
import rampartCircuitBreaker, {
  type CircuitBreakerOptions,
  type CircuitBreakerRouteOptions,
  type CircuitSnapshot,
  type CircuitState,
  type RejectedEvent,
  rejectedChannel,
  type StateEvent,
  stateChannel,
} from '../src/index.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const good: CircuitBreakerOptions = {
  failureThreshold: false,
  failureRateThreshold: 0.25,
  minimumVolume: 50,
  rollingWindow: 30_000,
  rollingBuckets: 6,
  recoveryTimeout: 15_000,
  halfOpenMaxProbes: 3,
  successThreshold: 2,
  timeout: 5000,
  abortOnTimeout: true,
  failureStatuses: (status, error) => status >= 500 || error !== undefined,
  now: () => 0,
}
// @ts-expect-error the clock is the plugin's, not a route's
const badRoute: CircuitBreakerRouteOptions = { now: () => 0 }
// @ts-expect-error a threshold is a number or false
const badThreshold: CircuitBreakerOptions = { failureThreshold: true }
const stateOf = (snapshot: CircuitSnapshot | undefined): CircuitState | undefined => snapshot?.state
const rejectedState = (event: RejectedEvent): 'open' | 'half-open' => event.state
const transition = (event: StateEvent): string => `${event.route}: ${event.from} -> ${event.to} (${event.reason})`

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  await app.register(rampartCircuitBreaker, { ...good, now: Date.now, abortOnTimeout: false })
  app.get(
    '/typed',
    { config: { rampart: { circuitBreaker: { timeout: 100, failureStatuses: [502] } } } },
    async () => '',
  )
  app.get('/untracked', { config: { rampart: { circuitBreaker: false } } }, async () => '')
  await app.ready()
  t.equal(stateOf(app.rampartCircuitBreaker.state('GET /typed')), 'closed')
  t.equal(rejectedChannel.name, 'rampart:circuit-breaker:rejected')
  t.equal(stateChannel.name, 'rampart:circuit-breaker:state')
  t.ok([badRoute, badThreshold, rejectedState, transition].length === 4, 'the wrong values exist only for the compiler')
})

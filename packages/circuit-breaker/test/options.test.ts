import Fastify from 'fastify'
import t from 'tap'
import rampartCircuitBreaker, { type CircuitBreakerRouteOptions, DEFAULTS, resolveOptions } from '../src/index.js'

t.test("defaults: the seed's threshold and recovery, plus the rolling window and probes", async (t) => {
  t.match(resolveOptions(), {
    failureThreshold: 5,
    recoveryTimeout: 60_000,
    failureRateThreshold: 0.5,
    minimumVolume: 20,
    rollingWindow: 60_000,
    rollingBuckets: 10,
    halfOpenMaxProbes: 1,
    successThreshold: 1,
    timeout: false,
    abortOnTimeout: false,
  })
  t.ok(Object.isFrozen(resolveOptions()))
  t.ok(Object.isFrozen(DEFAULTS))
  t.equal(DEFAULTS.isFailure(500, undefined), true)
  t.equal(DEFAULTS.isFailure(499, undefined), false)
  const first = DEFAULTS.now()
  t.ok(Math.abs(first - Date.now()) < 5_000, 'the default clock is on the epoch scale')
  t.ok(DEFAULTS.now() >= first, 'and never goes back')
})

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    ['5', /option "" must be an object/],
    [{ failureThreshold: 0 }, /option "failureThreshold" must be >= 1 \(got 0\)/],
    [{ failureThreshold: 2.5 }, /option "failureThreshold" must be an integer/],
    [{ failureThreshold: '5' }, /option "failureThreshold" must be a positive integer or false \(got "5"\)/],
    [{ failureThreshold: true }, /option "failureThreshold" must be a positive integer or false/],
    [{ failureThreshold: null }, /option "failureThreshold" must be a positive integer or false \(got null\)/],
    [{ failureRateThreshold: 0 }, /option "failureRateThreshold" must be greater than 0/],
    [{ failureRateThreshold: 50 }, /option "failureRateThreshold" must be <= 1 \(got 50\)/],
    [{ failureRateThreshold: '50%' }, /option "failureRateThreshold" must be a fraction/],
    [
      { failureThreshold: false, failureRateThreshold: false },
      /option "failureThreshold" and failureRateThreshold cannot both be false/,
    ],
    [{ minimumVolume: 0 }, /option "minimumVolume" must be >= 1/],
    [{ rollingWindow: 5, rollingBuckets: 10 }, /option "rollingWindow" must be at least rollingBuckets \(10\) ms/],
    [{ rollingBuckets: 0 }, /option "rollingBuckets" must be >= 1/],
    [{ rollingBuckets: 5000 }, /option "rollingBuckets" must be <= 1000/],
    [{ recoveryTimeout: 0 }, /option "recoveryTimeout" must be >= 1/],
    [{ recoveryTimeout: 1.5 }, /option "recoveryTimeout" must be an integer/],
    [{ halfOpenMaxProbes: 0 }, /option "halfOpenMaxProbes" must be >= 1/],
    [{ successThreshold: 0 }, /option "successThreshold" must be >= 1/],
    [{ timeout: 0 }, /option "timeout" must be >= 1/],
    [{ timeout: 2 ** 31 }, /option "timeout" must be <= 2147483647/],
    [{ abortOnTimeout: 'yes' }, /option "abortOnTimeout" must be true or false/],
    [{ abortOnTimeout: true }, /option "abortOnTimeout" needs a timeout/],
    [{ failureStatuses: 500 }, /option "failureStatuses" must be an array of status codes or a function/],
    [{ failureStatuses: [500, 700] }, /option "failureStatuses\[1\]" must be <= 599/],
    [{ failureStatuses: ['500'] }, /option "failureStatuses\[0\]" must be an integer/],
    [{ now: 1 }, /option "now" must be a function/],
    [{ recoveryTimout: 1000 }, /option "recoveryTimout" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartCircuitBreaker, options as any)
    await t.rejects(
      async () => app.ready(),
      { code: 'RAMPART_CIRCUIT_BREAKER_INVALID_OPTION', message },
      message.source,
    )
  }
})

t.test('bad route options fail when the route is added, naming the route', async (t) => {
  const cases: [unknown, RegExp][] = [
    [
      { failureThreshold: -1 },
      /option "config\.rampart\.circuitBreaker \(route GET \/x\)\.failureThreshold" must be >= 1/,
    ],
    [{ now: () => 0 }, /option "config\.rampart\.circuitBreaker \(route GET \/x\)\.now" is not a known option/],
    [true, /option "config\.rampart\.circuitBreaker \(route GET \/x\)" must be an object/],
    [{ abortOnTimeout: true }, /circuitBreaker \(route GET \/x\)\.abortOnTimeout" needs a timeout/],
    [
      { failureRateThreshold: false },
      /circuitBreaker \(route GET \/x\)\.failureThreshold" and failureRateThreshold cannot both be false/,
    ],
  ]
  for (const [config, message] of cases) {
    const app = Fastify()
    await app.register(rampartCircuitBreaker, { failureThreshold: false })
    t.throws(
      () =>
        app.get(
          '/x',
          { config: { rampart: { circuitBreaker: config as CircuitBreakerRouteOptions } } },
          async () => '',
        ),
      { code: 'RAMPART_CIRCUIT_BREAKER_INVALID_OPTION', message },
      message.source,
    )
  }
})

t.test('route options merge over the global ones', async (t) => {
  const app = Fastify()
  await app.register(rampartCircuitBreaker, { timeout: 100, abortOnTimeout: true, failureStatuses: [502] })
  t.doesNotThrow(() => app.get('/a', { config: { rampart: { circuitBreaker: { timeout: 50 } } } }, async () => ''))
  t.doesNotThrow(() =>
    app.get(
      '/b',
      { config: { rampart: { circuitBreaker: { abortOnTimeout: false, timeout: false } } } },
      async () => '',
    ),
  )
  t.throws(
    () => app.get('/c', { config: { rampart: { circuitBreaker: { timeout: false } } } }, async () => ''),
    /\(route GET \/c\)\.abortOnTimeout" needs a timeout/,
    'abortOnTimeout inherited, timeout removed',
  )
  await app.ready()
})

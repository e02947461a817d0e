import Fastify from 'fastify'
import t from 'tap'
import rampartCircuitBreaker from '../src/index.js'
import { build, hit } from './fixtures/backend.js'

t.test('one breaker per route pattern: /a/:id failing opens neither /b nor POST /c', async (t) => {
  const { app, behave } = await build({ failureThreshold: 3 })
  behave('a', { status: 500 })
  t.same(await hit(app, '/a/1', 3), [500, 500, 500])
  t.same(await hit(app, '/a/1'), [503])
  t.same(await hit(app, '/b', 3), [200, 200, 200])
  t.same(await hit(app, '/c', 3, 'POST'), [200, 200, 200])
  t.equal(app.rampartCircuitBreaker.state('GET /b')?.state, 'closed')
})

t.test('/a/1, /a/2 and /a/3 share the breaker of /a/:id', async (t) => {
  const { app, behave } = await build({ failureThreshold: 3 })
  behave('a', { status: 500 })
  t.same([...(await hit(app, '/a/1')), ...(await hit(app, '/a/2')), ...(await hit(app, '/a/3'))], [500, 500, 500])
  t.same(await hit(app, '/a/999'), [503], 'an id never seen before is refused too')
  t.same(await hit(app, '/a/1?x=1'), [503], 'as is any query string')
  t.equal(app.rampartCircuitBreaker.state('GET /a/:id')?.consecutiveFailures, 0, 'reset when it opened')
  t.same(
    app.rampartCircuitBreaker.states().map((snapshot) => snapshot.route),
    ['GET /a/:id', 'GET /b', 'POST /c', 'GET /tuned'],
    'one circuit per route, whatever the paths requested',
  )
})

t.test('HEAD shares the breaker of its GET route', async (t) => {
  const { app, behave } = await build({ failureThreshold: 2 })
  behave('a', { status: 500 })
  await app.inject({ method: 'HEAD', url: '/a/1' })
  await app.inject({ method: 'GET', url: '/a/2' })
  t.equal((await app.inject({ method: 'HEAD', url: '/a/3' })).statusCode, 503)
  t.equal(app.rampartCircuitBreaker.state('HEAD /a/:id'), undefined)
})

t.test('404s are never tracked: random paths create no breakers', async (t) => {
  const { app } = await build({ failureThreshold: 1 })
  const before = app.rampartCircuitBreaker.states().length
  for (let i = 0; i < 50; i++) t.equal((await app.inject(`/nothing/${i}`)).statusCode, 404)
  t.equal(app.rampartCircuitBreaker.states().length, before)
  t.equal(app.rampartCircuitBreaker.state('GET /nothing/0'), undefined)
})

t.test('config.rampart.circuitBreaker: false leaves a route alone', async (t) => {
  const { app, behave } = await build({ failureThreshold: 1 })
  behave('off', { status: 500 })
  t.same(await hit(app, '/off', 5), [500, 500, 500, 500, 500])
  t.equal(app.rampartCircuitBreaker.state('GET /off'), undefined)
})

t.test('config.rampart.circuitBreaker overrides the options of one route', async (t) => {
  const { app, clock, behave } = await build(
    { failureThreshold: 5, recoveryTimeout: 60_000 },
    { failureThreshold: 2, recoveryTimeout: 5000 },
  )
  behave('tuned', { status: 500 })
  behave('b', { status: 500 })
  t.same(await hit(app, '/tuned', 3), [500, 500, 503])
  t.same(await hit(app, '/b', 3), [500, 500, 500], 'other routes keep the global options')
  t.equal((await app.inject('/tuned')).headers['retry-after'], '5')
  clock.advance(5000)
  behave('tuned', {})
  t.same(await hit(app, '/tuned'), [200])
})

t.test('routes registered before the plugin get a breaker on their first request', async (t) => {
  const app = Fastify()
  let status = 500
  app.get('/early/:id', async (_request, reply) => reply.code(status).send({}))
  app.get('/early-off', { config: { rampart: { circuitBreaker: false } } }, async (_request, reply) =>
    reply.code(500).send({}),
  )
  await app.register(rampartCircuitBreaker, { failureThreshold: 2 })
  await app.ready()
  t.equal(app.rampartCircuitBreaker.state('GET /early/:id'), undefined, 'unknown until requested')
  t.same(await hit(app, '/early/1', 3), [500, 500, 503])
  t.same(await hit(app, '/early-off', 3), [500, 500, 500])
  status = 200
  t.equal(app.rampartCircuitBreaker.state('GET /early/:id')?.state, 'open')
})

t.test('a route answering several methods has one breaker for them', async (t) => {
  const app = Fastify()
  await app.register(rampartCircuitBreaker, { failureThreshold: 2 })
  app.route({ method: ['GET', 'POST'], url: '/both', handler: async (_request, reply) => reply.code(500).send({}) })
  await app.inject({ method: 'GET', url: '/both' })
  await app.inject({ method: 'POST', url: '/both' })
  t.equal((await app.inject({ method: 'GET', url: '/both' })).statusCode, 503)
  t.equal(app.rampartCircuitBreaker.state('GET,POST /both')?.state, 'open')
})

t.test('routes in encapsulated plugins are covered, under their prefixed pattern', async (t) => {
  const app = Fastify()
  await app.register(rampartCircuitBreaker, { failureThreshold: 1 })
  await app.register(
    async (child) => {
      child.get('/items/:id', async (_request, reply) => reply.code(502).send({}))
    },
    { prefix: '/v1' },
  )
  t.same(await hit(app, '/v1/items/1', 2), [502, 503])
  t.equal(app.rampartCircuitBreaker.state('GET /v1/items/:id')?.state, 'open')
})

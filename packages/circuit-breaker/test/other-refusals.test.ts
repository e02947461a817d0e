import { defineRefusal, sendProblem } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartCircuitBreaker from '../src/index.js'

const BAD_INPUT = defineRefusal('guard', 'BAD_INPUT', 400, 'Bad Request')
const STORE_DOWN = defineRefusal('store', 'UNAVAILABLE', 503, 'Service Unavailable')
const UPSTREAM = defineRefusal('app', 'UPSTREAM_FAILED', 502, 'Bad Gateway')

/**
 * The breaker first, then plugins that refuse in every later phase (as in the preset: signature
 * and content-guard come after it), then a route whose upstream always fails.
 */
async function build() {
  const app = Fastify()
  await app.register(rampartCircuitBreaker, { failureThreshold: 3, failureRateThreshold: false })
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers['x-store-down'] !== undefined) return sendProblem(reply, STORE_DOWN)
  })
  app.addHook('preHandler', async (request, reply) => {
    if (request.headers['x-bad'] !== undefined) return sendProblem(reply, BAD_INPUT)
  })
  app.addHook('preHandler', async (request) => {
    if (request.headers['x-throw'] !== undefined) throw new Error('a hook failed')
  })
  let upstreamFails = true
  app.get('/upstream', async (_request, reply) => (upstreamFails ? sendProblem(reply, UPSTREAM) : { ok: true }))
  return {
    app,
    heal: () => {
      upstreamFails = false
    },
  }
}

t.test("other plugins' 4xx refusals do not reset the count of the route's own failures", async (t) => {
  const { app } = await build()
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) {
    statuses.push((await app.inject('/upstream')).statusCode)
    statuses.push((await app.inject({ url: '/upstream', headers: { 'x-bad': '1' } })).statusCode)
  }
  t.same(statuses, [502, 400, 502, 400, 502, 503], 'open from the third failure of the route on')
  t.equal(app.rampartCircuitBreaker.state('GET /upstream')?.state, 'open', 'three failures of the route open it')
  t.equal((await app.inject('/upstream')).statusCode, 503)
})

t.test("other plugins' 503s and failing hooks do not open the route's circuit", async (t) => {
  const { app, heal } = await build()
  heal()
  for (let i = 0; i < 10; i++) {
    t.equal((await app.inject({ url: '/upstream', headers: { 'x-store-down': '1' } })).statusCode, 503)
    t.equal((await app.inject({ url: '/upstream', headers: { 'x-throw': '1' } })).statusCode, 500)
  }
  t.equal(app.rampartCircuitBreaker.state('GET /upstream')?.state, 'closed')
  t.equal(app.rampartCircuitBreaker.state('GET /upstream')?.consecutiveFailures, 0)
  t.equal((await app.inject('/upstream')).statusCode, 200, 'the route is served')
})

t.test("a route's own preHandler hooks run before the marker, and its failures count", async (t) => {
  const app = Fastify()
  await app.register(rampartCircuitBreaker, { failureThreshold: 2, failureRateThreshold: false })
  let ownHookRan = 0
  app.get(
    '/own',
    {
      preHandler: async () => {
        ownHookRan++
      },
    },
    async (_request, reply) => sendProblem(reply, UPSTREAM),
  )
  await app.inject('/own')
  await app.inject('/own')
  t.equal(ownHookRan, 2)
  t.equal(app.rampartCircuitBreaker.state('GET /own')?.state, 'open')
})

t.test('routes added before the plugin still count every response', async (t) => {
  const app = Fastify()
  app.get('/early', async (_request, reply) => sendProblem(reply, UPSTREAM))
  await app.register(rampartCircuitBreaker, { failureThreshold: 2, failureRateThreshold: false })
  await app.inject('/early')
  await app.inject('/early')
  t.equal(app.rampartCircuitBreaker.state('GET /early')?.state, 'open')
})

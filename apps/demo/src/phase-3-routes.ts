import { defineRefusal, sendProblem } from '@rampart/core'
import type { FastifyInstance } from 'fastify'

const UPSTREAM_FAILED = defineRefusal('demo', 'UPSTREAM_FAILED', 502, 'Bad Gateway')

/** Phase 3: a signed route and a route that fails on demand, to watch the circuit breaker. */
export async function phase3Routes(app: FastifyInstance): Promise<void> {
  // Under /api/signed every request must carry a valid HMAC signature (see the README).
  app.post('/api/signed/echo', async (request) => ({
    received: request.body ?? null,
    key_id: request.signatureKeyId,
  }))

  // `?fail=1` stands in for a failing upstream: five failures open the route's breaker (503).
  app.get('/api/flaky', async (request, reply) => {
    const { fail } = request.query as { fail?: string }
    if (fail === '1' || fail === 'true') {
      return sendProblem(reply, UPSTREAM_FAILED, { detail: 'The (simulated) upstream failed.' })
    }
    return { status: 'ok', country: request.country ?? null }
  })

  // The breakers' state, for the curious (the health detail has it too).
  app.get('/api/circuits', async () => ({ circuits: app.rampartCircuitBreaker.states() }))
}

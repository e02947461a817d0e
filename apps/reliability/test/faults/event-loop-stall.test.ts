import rateLimit from '@rampart/rate-limit'
import Fastify from 'fastify'
import t from 'tap'
import { writeResult } from '../../src/results.js'
import { deleteKeys, REDIS_URL, randomPrefix, redisAdmin } from '../../src/services.js'

// A stalled event loop is not a Redis outage. Redis is healthy and answers in well under a
// millisecond; the process is busy for 120 ms (a GC pause, a burst of RSA verifications, a large
// JSON body) right after a rate-limit call. The reply is then waiting in the socket when the
// deadline timer runs, and the call must not be counted as timed out: a fail-closed policy would
// otherwise refuse a legitimate login with 503 while Redis is fine (seen in the soak: found-7, fixed).

const PREFIX = randomPrefix('stall')
const admin = redisAdmin()
t.teardown(async () => {
  await deleteKeys(admin, PREFIX)
  admin.disconnect()
})

const busy = (ms: number) => {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // the process is busy; Redis is not
  }
}

t.test('a 120 ms stall right after a call to a healthy Redis', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let depth = 0
  // Before the limiter: schedules the stall `depth` turns of the loop after the request starts.
  app.addHook('onRequest', (_request, _reply, done) => {
    let turns = depth
    const stall = (): void => {
      if (turns-- > 0) setImmediate(stall)
      else busy(120)
    }
    setImmediate(stall)
    done()
  })
  await app.register(rateLimit, {
    redis: { url: REDIS_URL, timeout: 50, breakerFailures: 1000 },
    prefix: PREFIX,
    policies: { login: { limit: 10_000, window: 60, failureMode: 'fail-closed' } },
  })
  app.get('/', async () => 'ok')
  await app.ready()
  const byDepth: Record<number, number[]> = {}
  for (depth = 0; depth < 4; depth++) {
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      statuses.push((await app.inject('/')).statusCode)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    byDepth[depth] = statuses
  }
  writeResult('fault-event-loop-stall', { stallMs: 120, deadlineMs: 50, statusesByStallPoint: byDepth })
  const refused = Object.values(byDepth)
    .flat()
    .filter((status) => status !== 200).length
  t.equal(refused, 0, `every request served (${JSON.stringify(byDepth)})`)
})

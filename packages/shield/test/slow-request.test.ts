import Fastify from 'fastify'
import t from 'tap'
import rampartShield from '../src/index.js'
import { build, collectSlowRequests } from './fixtures/app.js'

/** A fake monotonic clock the handlers move forward. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1000
  return { now: () => time, advance: (ms) => (time += ms) }
}

function routes(clock: { advance: (ms: number) => void }) {
  return (app: import('fastify').FastifyInstance) => {
    app.get('/slow', async () => {
      clock.advance(150)
      return 'slow'
    })
    app.get('/users/:id', async () => {
      clock.advance(101)
      return 'user'
    })
    app.get('/fast', async () => {
      clock.advance(100)
      return 'fast'
    })
    app.get('/quiet', { config: { rampart: { shield: { rules: { 'slow-request': false } } } } }, async () => {
      clock.advance(500)
      return 'quiet'
    })
    app.get('/off', { config: { rampart: { shield: false } } }, async () => {
      clock.advance(500)
      return 'off'
    })
    app.setNotFoundHandler(async (_request, reply) => {
      clock.advance(200)
      return reply.code(404).send('none')
    })
  }
}

t.test('a response slower than slowRequestMs emits slow-request with its duration and route pattern', async (t) => {
  const clock = fakeClock()
  const app = await build({ slowRequestMs: 100, now: clock.now }, routes(clock))
  const events = collectSlowRequests(t)
  for (const url of ['/slow', '/users/42', '/fast', '/quiet', '/off', '/missing']) await app.inject(url)
  t.same(events, [
    { durationMs: 150, route: '/slow' },
    { durationMs: 101, route: '/users/:id' },
    { durationMs: 200, route: '<unmatched>' },
  ])
})

t.test('slow-request is an event only: global block mode answers normally', async (t) => {
  const clock = fakeClock()
  const app = await build({ slowRequestMs: 100, now: clock.now, mode: 'block' }, routes(clock))
  const events = collectSlowRequests(t)
  t.equal((await app.inject('/slow')).statusCode, 200)
  t.equal(events.length, 1)
})

t.test('slowRequestMs: 0 and rules["slow-request"]: false turn it off', async (t) => {
  const clock = fakeClock()
  const events = collectSlowRequests(t)
  const off = await build({ slowRequestMs: 0, now: clock.now }, routes(clock))
  await off.inject('/slow')
  const disabled = await build({ slowRequestMs: 100, now: clock.now, rules: { 'slow-request': false } }, routes(clock))
  await disabled.inject('/slow')
  t.same(events, [])
})

t.test("without a clock, Fastify's reply.elapsedTime measures the request", async (t) => {
  const app = await build({ slowRequestMs: 20 }, (app) => {
    app.get('/wait', async () => {
      await new Promise((resolve) => setTimeout(resolve, 60))
      return 'waited'
    })
  })
  const events = collectSlowRequests(t)
  await app.inject('/wait')
  t.equal(events.length, 1)
  t.ok((events[0]?.durationMs ?? 0) >= 55, `${events[0]?.durationMs} ms`)
  t.equal(events[0]?.route, '/wait')
})

t.test('a request refused before shield saw it is not timed', async (t) => {
  const clock = fakeClock()
  const app = Fastify()
  app.addHook('onRequest', async (_request, reply) => {
    clock.advance(1000)
    return reply.code(429).send('slow down')
  })
  await app.register(rampartShield, { slowRequestMs: 100, now: clock.now, logLevel: 'silent' })
  app.get('/x', async () => 'x')
  const events = collectSlowRequests(t)
  t.equal((await app.inject('/x')).statusCode, 429)
  t.same(events, [])
})

t.test('a slow request is logged at the log level', async (t) => {
  const clock = fakeClock()
  const lines: Record<string, unknown>[] = []
  const { Writable } = await import('node:stream')
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)))
      callback()
    },
  })
  const app = await build({ slowRequestMs: 100, now: clock.now, logLevel: 'warn' }, routes(clock), {
    logger: { level: 'warn', stream },
  })
  await app.inject('/slow')
  t.match(lines, [
    {
      level: 40,
      msg: '@rampart/shield: slow request',
      shield: { slowRequest: { durationMs: 150, route: '/slow', thresholdMs: 100 } },
    },
  ])
})

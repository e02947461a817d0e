import Fastify from 'fastify'
import t from 'tap'
import rampartDdos, { type DdosOptions, type SurgeEvent, surgeChannel } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'

// The surge event: more than `threshold` new clients (unseen in the previous interval) within one
// interval, published once per interval. The seed counted every distinct IP in a set it cleared
// every five minutes and logged on every request past the threshold.

const events: SurgeEvent[] = []
t.teardown(surgeChannel.subscribe((event) => events.push(event)))
t.beforeEach(() => {
  events.length = 0
})

async function build(options: DdosOptions) {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartDdos, { rate: false, shedding: false, ...options })
  app.get('/', async () => 'ok')
  return app
}

async function visit(app: Awaited<ReturnType<typeof build>>, from: number, to: number, times = 1) {
  for (let i = from; i < to; i++) {
    for (let n = 0; n < times; n++) await app.inject({ url: '/', remoteAddress: `10.1.${i >> 8}.${i & 255}` })
  }
}

t.test('more than threshold new clients in an interval publishes one event', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, surge: { threshold: 10, intervalMs: 60_000 } })
  await visit(app, 0, 50)
  t.same(events, [], 'the first interval only learns who is there')
  clock.advance(60_000)
  await visit(app, 0, 50, 2)
  t.same(events, [], 'returning clients are not new')
  await visit(app, 100, 110, 3)
  t.same(events, [], 'ten new clients, each three times, are ten')
  await visit(app, 110, 111)
  t.same(events, [{ distinctClients: 11, intervalMs: 60_000 }], 'the eleventh crosses the threshold')
  await visit(app, 111, 150)
  t.equal(events.length, 1, 'once per interval')
  t.match(app.rampartDdos.status().surge, { threshold: 10, intervalMs: 60_000, newClients: 50, surging: true })

  clock.advance(60_000)
  t.match(app.rampartDdos.status().surge, { newClients: 0, surging: false }, 'a new interval')
  await visit(app, 100, 150)
  t.equal(events.length, 1, 'clients of the previous interval are not new')
  await visit(app, 200, 211)
  t.equal(events.length, 2, 'a new surge in a new interval')
})

t.test('clients idle for a whole interval are new again', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, surge: { threshold: 5, intervalMs: 1000 } })
  await visit(app, 0, 10)
  clock.advance(2000)
  await visit(app, 0, 10)
  t.equal(events.length, 1)
  t.equal(events[0]?.distinctClients, 6)
})

t.test('surge: false counts nothing', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, surge: false })
  clock.advance(1_000_000)
  await visit(app, 0, 600)
  t.same(events, [])
  t.equal(app.rampartDdos.status().surge, undefined)
  t.equal(app.rampartDdos.status().clients.tracked, 0, 'no table kept when nothing needs it')
})

import Fastify from 'fastify'
import t from 'tap'
import rampartDdos, {
  type BannedEvent,
  bannedChannel,
  type DdosOptions,
  SWEEP_INTERVAL_MS,
  type UnbannedEvent,
  unbannedChannel,
} from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { waitFor } from './fixtures/wait.js'

// The request-rate threshold bans a client for a cooldown that really ends (the seed's cleanup
// loop kept a blocked IP only while it had connections, inverted, and never unbanned the others).

const banned: BannedEvent[] = []
const unbanned: UnbannedEvent[] = []
t.teardown(bannedChannel.subscribe((event) => banned.push(event)))
t.teardown(unbannedChannel.subscribe((event) => unbanned.push(event)))
t.beforeEach(() => {
  banned.length = 0
  unbanned.length = 0
})

async function build(options: DdosOptions) {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartDdos, { surge: false, shedding: false, ...options })
  app.get('/', async () => ({ ok: true }))
  app.get('/health', async () => ({ status: 'ok' }))
  return app
}

const A = { remoteAddress: '198.51.100.1' }
const B = { remoteAddress: '198.51.100.2' }

t.test('crossing the rate threshold bans for the cooldown, which then really expires', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, rate: { max: 5, windowMs: 10_000 }, banMs: 60_000 })
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ url: '/', ...A })).statusCode, 200, `request ${i + 1}`)

  const crossing = await app.inject({ url: '/', ...A })
  t.equal(crossing.statusCode, 403, 'the sixth request crosses the threshold')
  t.match(crossing.headers['content-type'], /^application\/problem\+json/)
  t.equal(crossing.json().code, 'RAMPART_DDOS_BANNED')
  t.equal(crossing.headers['retry-after'], '60')
  t.equal(banned.length, 1)
  t.match(banned[0], { client: '198.51.100.1', until: clock.time + 60_000, reason: 'rate' })
  t.equal(banned[0]?.request?.url, '/')

  clock.advance(45_500)
  const during = await app.inject({ url: '/', ...A })
  t.equal(during.statusCode, 403, 'still banned')
  t.equal(during.headers['retry-after'], '15', 'the rest of the cooldown, rounded up')
  t.equal((await app.inject({ url: '/', ...B })).statusCode, 200, 'other clients pass')
  t.equal((await app.inject({ url: '/health', ...A })).statusCode, 200, 'exempt paths pass')
  t.equal(app.rampartDdos.bannedFor('198.51.100.1'), 14_500)

  clock.advance(14_500)
  t.equal((await app.inject({ url: '/', ...A })).statusCode, 200, 'the ban has expired')
  t.same(unbanned, [{ client: '198.51.100.1', reason: 'expired' }])
  t.equal(app.rampartDdos.status().bans.count, 0)
  for (let i = 0; i < 4; i++) t.equal((await app.inject({ url: '/', ...A })).statusCode, 200, 'a fresh count')
  t.equal((await app.inject({ url: '/', ...A })).statusCode, 403, 'and the threshold still applies')
})

t.test('banned requests are not counted and do not extend the ban', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, rate: { max: 2, windowMs: 1000 }, banMs: 5000 })
  for (let i = 0; i < 3; i++) await app.inject({ url: '/', ...A })
  t.equal(banned.length, 1)
  for (let i = 0; i < 50; i++) {
    clock.advance(50)
    t.equal((await app.inject({ url: '/', ...A })).statusCode, 403)
  }
  clock.advance(2500)
  t.equal((await app.inject({ url: '/', ...A })).statusCode, 200, 'the ban ended 5 s after it began')
  t.equal(banned.length, 1, 'one ban')
})

t.test('the rate is a sliding estimate: no double burst across a window edge', async (t) => {
  const clock = new FakeClock(Date.UTC(2025, 0, 1))
  const app = await build({ now: clock.now, rate: { max: 10, windowMs: 1000 }, banMs: 1000 })
  clock.advance(900)
  for (let i = 0; i < 10; i++) t.equal((await app.inject({ url: '/', ...A })).statusCode, 200)
  clock.advance(200) // 10 % into the next window: 90 % of the previous window still counts
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) statuses.push((await app.inject({ url: '/', ...A })).statusCode)
  t.same(statuses, [200, 403, 403], '9 carried over + 2 > 10')
})

t.test('rate: false never bans', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, rate: false })
  for (let i = 0; i < 300; i++) await app.inject({ url: '/', ...A })
  t.equal((await app.inject({ url: '/', ...A })).statusCode, 200)
  t.equal(banned.length, 0)
})

t.test('the API bans, unbans and reports', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now })
  const ban = await app.rampartDdos.ban('198.51.100.7', 30_000)
  t.same(ban, { client: '198.51.100.7', until: clock.time + 30_000 })
  t.match(banned, [{ request: null, client: '198.51.100.7', reason: 'manual' }])
  const refused = await app.inject({ url: '/', remoteAddress: '198.51.100.7' })
  t.equal(refused.statusCode, 403)
  t.equal(refused.headers['retry-after'], '30')
  t.equal(await app.rampartDdos.unban('198.51.100.7'), true)
  t.same(unbanned, [{ client: '198.51.100.7', reason: 'manual' }])
  t.equal((await app.inject({ url: '/', remoteAddress: '198.51.100.7' })).statusCode, 200)
  t.equal(await app.rampartDdos.unban('198.51.100.7'), false, 'nothing to lift')

  await app.rampartDdos.ban('::ffff:198.51.100.8')
  t.equal(app.rampartDdos.bannedFor('198.51.100.8'), 300_000, 'IPv4-mapped is IPv4; default banMs')
  const v6 = await app.rampartDdos.ban('2001:db8:aa:bb:1:2:3:4', 1000)
  t.equal(v6.client, '2001:db8:aa:bb::/64', 'an IPv6 address bans its /64')
  t.equal((await app.inject({ url: '/', remoteAddress: '2001:db8:aa:bb::99' })).statusCode, 403)
  t.equal(await app.rampartDdos.unban('2001:db8:aa:bb::/64'), true, 'the prefix as events report it')

  for (const bad of ['not-an-ip', '2001:db8::/48', '1.2.3.4/24', '']) {
    await t.rejects(app.rampartDdos.ban(bad), { code: 'RAMPART_DDOS_INVALID_ARGUMENT' }, bad)
  }
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong arguments
  const api = app.rampartDdos as any
  await t.rejects(api.ban(42), { code: 'RAMPART_DDOS_INVALID_ARGUMENT', statusCode: 400 })
  for (const ms of [0, -5, 1.5, Number.NaN, '10']) {
    await t.rejects(api.ban('198.51.100.9', ms), { code: 'RAMPART_DDOS_INVALID_ARGUMENT' }, String(ms))
  }
})

t.test('the ban list is bounded: a full list drops its oldest ban', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, maxClients: 3 })
  for (let i = 1; i <= 5; i++) await app.rampartDdos.ban(`192.0.2.${i}`, 60_000)
  t.equal(app.rampartDdos.status().bans.count, 3)
  t.equal(app.rampartDdos.bannedFor('192.0.2.1'), 0, 'the oldest went first')
  t.equal(app.rampartDdos.bannedFor('192.0.2.5'), 60_000)
})

t.test('the client table is bounded: the least recently seen client goes first', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, maxClients: 2, rate: { max: 3, windowMs: 60_000 } })
  for (let i = 0; i < 3; i++) await app.inject({ url: '/', ...A })
  await app.inject({ url: '/', ...B })
  await app.inject({ url: '/', remoteAddress: '198.51.100.3' }) // pushes A out: its count is forgotten
  t.same(app.rampartDdos.status().clients, { tracked: 2, max: 2, evictions: 1 })
  t.equal((await app.inject({ url: '/', ...A })).statusCode, 200, 'a forgotten client starts from zero')
})

t.test('expired bans are swept without a request from the client', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now })
  await app.ready()
  await app.rampartDdos.ban('192.0.2.50', 1000)
  clock.advance(1000)
  await waitFor(() => unbanned.length === 1, 'the sweep', SWEEP_INTERVAL_MS * 3)
  t.same(unbanned, [{ client: '192.0.2.50', reason: 'expired' }])
  t.equal(app.rampartDdos.status().bans.count, 0)
})

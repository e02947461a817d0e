import { healthChecks } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartDdos from '../src/index.js'

t.test('status() and the health check report a quiet instance as healthy', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartDdos, { shedding: { sampleIntervalMs: 20 } })
  app.get('/', async () => 'ok')
  await app.ready()
  await app.inject({ url: '/', remoteAddress: '192.0.2.1' })
  const status = app.rampartDdos.status()
  t.match(status, {
    shedding: { enabled: true, level: 0 },
    inFlight: { max: 100, clients: 0, requests: 0 },
    bans: { count: 0, shared: 'off' },
    clients: { tracked: 1, max: 100_000, evictions: 0 },
    surge: { threshold: 500, intervalMs: 300_000, newClients: 1, surging: false },
  })
  const health = await healthChecks(app).get('ddos')?.()
  t.match(health, { status: 'healthy', detail: { sheddingLevel: 0, bans: 0, sharedBans: 'off', surging: false } })
})

t.test('proxies: the client is the one core resolves, never a header the client sent', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartDdos, { shedding: false, surge: false, rate: { max: 1, windowMs: 60_000 } })
  app.get('/', async () => 'ok')
  await app.inject({ url: '/', remoteAddress: '192.0.2.5' })
  const spoofed = await app.inject({ url: '/', remoteAddress: '192.0.2.5', headers: { 'x-forwarded-for': '10.9.9.9' } })
  t.equal(spoofed.statusCode, 403, 'an untrusted X-Forwarded-For does not make a new client')
  t.equal(app.rampartDdos.bannedFor('192.0.2.5') > 0, true)
  t.equal(app.rampartDdos.bannedFor('10.9.9.9'), 0)
})

t.test('close() clears every interval it started', async (t) => {
  const started: unknown[] = []
  const cleared: unknown[] = []
  const { setInterval: realSet, clearInterval: realClear } = globalThis
  globalThis.setInterval = ((...args: Parameters<typeof realSet>) => {
    const timer = realSet(...args)
    started.push(timer)
    return timer
  }) as typeof realSet
  globalThis.clearInterval = ((timer: Parameters<typeof realClear>[0]) => {
    cleared.push(timer)
    realClear(timer)
  }) as typeof realClear
  t.teardown(() => {
    globalThis.setInterval = realSet
    globalThis.clearInterval = realClear
  })
  const app = Fastify()
  await app.register(rampartDdos, { shedding: { sampleIntervalMs: 10 } })
  await app.ready()
  t.equal(started.length, 2, 'the sample and the sweep intervals')
  for (const timer of started)
    t.equal((timer as NodeJS.Timeout).hasRef(), false, 'unref: never keeps the process alive')
  await app.close()
  t.same(
    started.filter((timer) => !cleared.includes(timer)),
    [],
    'both cleared on close',
  )
})

t.test('registered twice on one instance fails loudly', async (t) => {
  const app = Fastify()
  app.register(rampartDdos)
  app.register(rampartDdos)
  await t.rejects(async () => app.ready(), /rampartDdos|already/)
})

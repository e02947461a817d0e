import diagnosticsChannel from 'node:diagnostics_channel'
import { sendProblem } from '@rampart/core'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import rampartAlerts, { type Alert } from '../src/index.js'
import { build, hit, KINDS } from './fixtures/app.js'

const rules = { defaultRules: false, rules: { 'rate-limit': { threshold: 2 } } }

function sink(): { alerts: Alert[]; onAlert: (alert: Alert) => void } {
  const alerts: Alert[] = []
  return { alerts, onAlert: (alert) => void alerts.push(alert) }
}

t.test('two apps in one process: each counts only the requests it served', async (t) => {
  const first = sink()
  const second = sink()
  const a = await build({ ...rules, onAlert: first.onAlert })
  const b = await build({ ...rules, onAlert: second.onAlert })
  t.teardown(() => Promise.all([a.close(), b.close()]))

  await hit(a, '/refuse/rate-limit')
  await hit(b, '/refuse/rate-limit')
  t.equal(a.rampartAlerts.stats().rules['rate-limit']!.inWindow, 1, 'not 2: b refusal is not counted by a')
  t.equal(b.rampartAlerts.stats().rules['rate-limit']!.inWindow, 1)

  await hit(a, '/refuse/rate-limit')
  await Promise.all([a.rampartAlerts.flush(), b.rampartAlerts.flush()])
  t.equal(first.alerts.length, 1, 'a fires on its own two refusals')
  t.equal(second.alerts.length, 0, 'b saw one refusal of its own')
})

t.test('routes of encapsulated children and 404s count', async (t) => {
  const app = Fastify()
  await app.register(rampartAlerts, { ...rules, log: false })
  await app.register(async (child) => {
    child.get('/child', async (_request, reply) => sendProblem(reply, KINDS['rate-limit']!))
  })
  app.setNotFoundHandler(async (_request, reply) => sendProblem(reply, KINDS['rate-limit']!))
  t.teardown(() => app.close())
  await app.inject('/child')
  await app.inject('/nowhere')
  t.equal(app.rampartAlerts.stats().rules['rate-limit']!.fired, 1, 'an encapsulated route and a 404 both count')
})

t.test('alerts registered in an encapsulated context count that context only', async (t) => {
  const app = Fastify()
  const refuse = async (_request: unknown, reply: Parameters<typeof sendProblem>[0]) =>
    sendProblem(reply, KINDS['rate-limit']!)
  app.get('/outside', refuse)
  let scoped: FastifyInstance | undefined
  await app.register(async (context) => {
    await context.register(rampartAlerts, { ...rules, log: false })
    context.get('/inside', refuse)
    scoped = context
  })
  t.teardown(() => app.close())
  await app.inject('/outside')
  await app.inject('/outside')
  t.equal(scoped!.rampartAlerts.stats().rules['rate-limit']!.inWindow, 0, 'a sibling route is not counted')
  await app.inject('/inside')
  t.equal(scoped!.rampartAlerts.stats().rules['rate-limit']!.inWindow, 1)
})

t.test(
  'close removes the subscriptions: a closed app counts nothing and the channel has no listener left',
  async (t) => {
    const channel = diagnosticsChannel.channel('test:alerts:isolation')
    const app = await build({ defaultRules: false, rules: { mine: { channel: channel.name as string } } })
    t.ok(channel.hasSubscribers)
    await app.close()
    t.notOk(channel.hasSubscribers, 'unsubscribed in onClose')
    channel.publish({ code: 'late' })
    t.equal(app.rampartAlerts.stats().rules.mine!.fired, 0)
  },
)

t.test('events about no request are seen by every app that listens', async (t) => {
  const a = await build()
  const b = await build()
  t.teardown(() => Promise.all([a.close(), b.close()]))
  diagnosticsChannel.channel('rampart:ddos:shedding').publish({ active: true })
  t.equal(a.rampartAlerts.stats().rules['load-shedding']!.fired, 1)
  t.equal(b.rampartAlerts.stats().rules['load-shedding']!.fired, 1)
})

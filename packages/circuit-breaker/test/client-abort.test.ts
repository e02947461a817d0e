import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { build, Gate, hit } from './fixtures/backend.js'

/** Waits (polling, at most ~5 s) until `condition` holds: the server sees a disconnect asynchronously. */
async function until(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return true
    await delay(10)
  }
  return condition()
}

/** Starts a request to the app over real HTTP and returns it, to be destroyed by the test. */
function send(port: number, method: 'GET' | 'POST', path: string): http.ClientRequest {
  const request = http.request({
    host: '127.0.0.1',
    port,
    method,
    path,
    headers: { 'content-type': 'application/json' },
  })
  request.on('error', () => {})
  request.end(method === 'POST' ? '{"a":1}' : undefined)
  return request
}

async function halfOpenApp(t: Test, timeout: number | false = false) {
  const harness = await build({ failureThreshold: 1, recoveryTimeout: 1000, timeout })
  await harness.app.listen({ host: '127.0.0.1', port: 0 })
  const port = (harness.app.server.address() as AddressInfo).port
  const gate = new Gate()
  t.teardown(async () => {
    gate.release()
    await harness.app.close()
  })
  for (const route of ['a', 'c']) harness.behave(route, { status: 500 })
  await hit(harness.app, '/a/1')
  await hit(harness.app, '/c', 1, 'POST')
  harness.clock.advance(1000)
  for (const route of ['a', 'c']) harness.behave(route, { hold: gate })
  return { ...harness, port, gate }
}

for (const [method, path, label] of [
  ['GET', '/a/1', 'GET /a/:id'],
  ['POST', '/c', 'POST /c'],
] as const) {
  t.test(`${method}: a probe whose client disconnects frees its slot without an outcome`, async (t) => {
    const { app, behave, gate, port } = await halfOpenApp(t)
    const state = () => app.rampartCircuitBreaker.state(label)
    const probe = send(port, method, path)
    await gate.arrived(1)
    t.match(state(), { state: 'half-open', probesInFlight: 1 })
    t.equal((await app.inject({ method, url: path })).statusCode, 503, 'the only slot is taken')
    probe.destroy()
    t.ok(await until(() => state()?.probesInFlight === 0), 'the slot is freed')
    t.equal(state()?.state, 'half-open', 'a disconnect is neither a success nor a failure')
    behave(path === '/c' ? 'c' : 'a', {})
    t.equal((await app.inject({ method, url: path })).statusCode, 200, 'the next request probes')
    t.equal(state()?.state, 'closed')
  })
}

t.test('a probe whose client gives up after the route timeout counts as failed', async (t) => {
  const { app, clock, gate, port } = await halfOpenApp(t, 2000)
  const state = () => app.rampartCircuitBreaker.state('GET /a/:id')
  const probe = send(port, 'GET', '/a/1')
  await gate.arrived(1)
  clock.advance(2001)
  probe.destroy()
  t.ok(await until(() => state()?.state === 'open'), 'the circuit reopens')
})

t.test('while closed: a client leaving in time is no outcome; leaving after the timeout is a failure', async (t) => {
  const harness = await build({ failureThreshold: 1, timeout: 2000 })
  const { app, clock, behave } = harness
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  const gate = new Gate()
  t.teardown(async () => {
    gate.release()
    await app.close()
  })
  behave('a', { hold: gate })
  const state = () => app.rampartCircuitBreaker.state('GET /a/:id')
  const patient = send(port, 'GET', '/a/1')
  await gate.arrived(1)
  clock.advance(2000)
  patient.destroy()
  const impatient = send(port, 'GET', '/a/2')
  await gate.arrived(2)
  clock.advance(2001)
  impatient.destroy()
  t.ok(await until(() => state()?.state === 'open'), 'the request over its timeout failed')
  t.equal(state()?.openedAt, clock.time, 'and only that one: the first left at exactly its timeout')
})

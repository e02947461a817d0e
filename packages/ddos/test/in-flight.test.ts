import http from 'node:http'
import net from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import t from 'tap'
import rampartDdos, { type DdosOptions } from '../src/index.js'
import { Gate, waitFor } from './fixtures/wait.js'

// The per-client in-flight cap: the N+1th concurrent request of one client is refused with 429,
// other clients pass, and every slot comes back however its request ends (a leaked slot would be
// a permanent ban for that client).

const OFF: DdosOptions = { rate: false, surge: false, shedding: false }

async function slowApp(options: DdosOptions, server: FastifyServerOptions = {}) {
  const app: FastifyInstance = Fastify(server)
  t.teardown(() => app.close())
  await app.register(rampartDdos, { ...OFF, ...options })
  const state = { gate: new Gate(), started: 0 }
  const slow = async () => {
    state.started++
    await state.gate.promise
    return { ok: true }
  }
  app.get('/slow', slow)
  app.post('/slow', slow)
  app.get('/fast', async () => ({ ok: true }))
  app.get('/boom', async () => {
    throw new Error('handler failed')
  })
  app.get('/health', async () => ({ status: 'ok' }))
  return { app, state }
}

t.test('the N+1th concurrent request of one client is refused 429 while another client passes', async (t) => {
  const { app, state } = await slowApp({ maxInFlight: 3 })
  const a = { remoteAddress: '203.0.113.1' }
  const pending = [1, 2, 3].map(() => app.inject({ url: '/slow', ...a }))
  await waitFor(() => state.started === 3, 'three slow requests in progress')
  t.equal(app.rampartDdos.inFlight('203.0.113.1'), 3)

  const refused = await app.inject({ url: '/fast', ...a })
  t.equal(refused.statusCode, 429)
  t.match(refused.headers['content-type'], /^application\/problem\+json/)
  t.equal(refused.json().code, 'RAMPART_DDOS_TOO_MANY_IN_FLIGHT')
  t.equal(refused.headers['retry-after'], '1')

  const other = await app.inject({ url: '/fast', remoteAddress: '203.0.113.2' })
  t.equal(other.statusCode, 200, 'another client is not affected')
  const otherSlow = app.inject({ url: '/slow', remoteAddress: '203.0.113.2' })
  await waitFor(() => state.started === 4, 'the other client in progress')
  t.same(app.rampartDdos.status().inFlight, { max: 3, clients: 2, requests: 4 })

  state.gate.open()
  for (const response of await Promise.all([...pending, otherSlow])) t.equal(response.statusCode, 200)
  await waitFor(() => app.rampartDdos.status().inFlight.requests === 0, 'every slot back')
  t.equal((await app.inject({ url: '/fast', ...a })).statusCode, 200, 'the client may send again')
  t.equal(app.rampartDdos.status().inFlight.clients, 0, 'no entry is kept for idle clients')
})

t.test('a refused request holds no slot, and exempt paths take none', async (t) => {
  const { app, state } = await slowApp({ maxInFlight: 1 })
  const a = { remoteAddress: '203.0.113.3' }
  const first = app.inject({ url: '/slow', ...a })
  await waitFor(() => state.started === 1, 'one in progress')
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ url: '/fast', ...a })).statusCode, 429)
  t.equal((await app.inject({ url: '/health', ...a })).statusCode, 200, '/health is exempt')
  t.equal(app.rampartDdos.inFlight('203.0.113.3'), 1)
  state.gate.open()
  await first
  await waitFor(() => app.rampartDdos.inFlight('203.0.113.3') === 0, 'slot back')
  t.equal((await app.inject({ url: '/fast', ...a })).statusCode, 200)
})

t.test('a handler error and a 404 give their slot back', async (t) => {
  const { app } = await slowApp({ maxInFlight: 1 })
  const a = { remoteAddress: '203.0.113.4' }
  for (let i = 0; i < 3; i++) {
    t.equal((await app.inject({ url: '/boom', ...a })).statusCode, 500)
    t.equal((await app.inject({ url: '/nowhere', ...a })).statusCode, 404)
  }
  await waitFor(() => app.rampartDdos.inFlight('203.0.113.4') === 0, 'slots back')
  t.equal((await app.inject({ url: '/fast', ...a })).statusCode, 200)
})

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as net.AddressInfo).port
}

t.test('requests whose client goes away give their slot back (GET, and POST after its body was read)', async (t) => {
  const { app, state } = await slowApp({ maxInFlight: 2 })
  const port = await listen(app)
  for (const method of ['GET', 'POST']) {
    state.started = 0
    const requests = [1, 2].map(() => {
      const request = http.request({
        host: '127.0.0.1',
        port,
        method,
        path: '/slow',
        headers: { 'content-type': 'application/json', connection: 'close' },
      })
      request.on('error', () => {})
      request.end(method === 'POST' ? '{"a":1}' : undefined)
      return request
    })
    await waitFor(() => state.started === 2, `two ${method}s in progress`)
    t.equal(app.rampartDdos.inFlight('127.0.0.1'), 2, `${method}: two slots taken`)
    for (const request of requests) request.destroy()
    await waitFor(() => app.rampartDdos.inFlight('127.0.0.1') === 0, `${method}: slots back after the abort`)
    t.pass(`${method}: aborted requests released their slots while their handlers still run`)
  }
  state.gate.open()
  const response = await fetch(`http://127.0.0.1:${port}/fast`)
  t.equal(response.status, 200)
  t.equal(app.rampartDdos.inFlight('127.0.0.1'), 0, 'handlers finishing later release nothing twice')
})

t.test('pipelined requests on a connection that closes give every slot back', async (t) => {
  const { app, state } = await slowApp({ maxInFlight: 5 })
  const port = await listen(app)
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => {})
  await new Promise((resolve) => socket.once('connect', resolve))
  const body = '{"a":1}'
  const request = `POST /slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  socket.write(request + request + request)
  await waitFor(() => state.started === 3, 'three pipelined requests in progress')
  t.equal(app.rampartDdos.inFlight('127.0.0.1'), 3)
  socket.destroy()
  await waitFor(() => app.rampartDdos.inFlight('127.0.0.1') === 0, 'slots back after the connection closed')
  state.gate.open()
  t.pass('no slot leaked')
})

t.test('a socket timeout gives the slot back', async (t) => {
  const { app, state } = await slowApp({ maxInFlight: 1 }, { connectionTimeout: 300 })
  const port = await listen(app)
  const request = http.request({ host: '127.0.0.1', port, path: '/slow' })
  request.on('error', () => {})
  request.end()
  await waitFor(() => state.started === 1, 'one in progress')
  await waitFor(() => app.rampartDdos.inFlight('127.0.0.1') === 0, 'slot back after the timeout')
  state.gate.open()
  t.pass('released by the timeout')
})

t.test('maxInFlight: false takes no slots; a full table admits new clients untracked', async (t) => {
  const off = await slowApp({ maxInFlight: false })
  const pending = [1, 2, 3].map(() => off.app.inject({ url: '/slow', remoteAddress: '203.0.113.9' }))
  await waitFor(() => off.state.started === 3, 'three in progress')
  t.equal(off.app.rampartDdos.status().inFlight.requests, 0)
  off.state.gate.open()
  await Promise.all(pending)

  const full = await slowApp({ maxInFlight: 1, maxClients: 1 })
  const first = full.app.inject({ url: '/slow', remoteAddress: '203.0.113.10' })
  await waitFor(() => full.state.started === 1, 'one in progress')
  const other = await full.app.inject({ url: '/fast', remoteAddress: '203.0.113.11' })
  t.equal(other.statusCode, 200, 'a new client is admitted, untracked')
  t.equal(full.app.rampartDdos.status().inFlight.clients, 1)
  full.state.gate.open()
  await first
})

t.test('IPv6 clients share the slots of their /64', async (t) => {
  const { app, state } = await slowApp({ maxInFlight: 1 })
  const first = app.inject({ url: '/slow', remoteAddress: '2001:db8:1:2::1' })
  await waitFor(() => state.started === 1, 'one in progress')
  t.equal((await app.inject({ url: '/fast', remoteAddress: '2001:db8:1:2:ffff::9' })).statusCode, 429, 'same /64')
  t.equal((await app.inject({ url: '/fast', remoteAddress: '2001:db8:1:3::1' })).statusCode, 200, 'another /64')
  t.equal(app.rampartDdos.inFlight('2001:db8:1:2::/64'), 1)
  state.gate.open()
  await first
})

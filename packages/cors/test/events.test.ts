import { ClientAddressResolver, problemRepliesPlugin, refusalChannel, setClientAddressResolver } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import rampartCors, { rejectedOriginChannel } from '../src/index.js'
import { build, preflight } from './fixtures/helpers.js'

t.test('rampart:cors:rejected-origin is published for disallowed cross-origin requests only', async (t) => {
  t.equal(rejectedOriginChannel.name, 'rampart:cors:rejected-origin')
  const app = await build({ origins: ['https://app.example.com'] })
  const seen: string[] = []
  t.teardown(
    rejectedOriginChannel.subscribe((event) => {
      t.equal(typeof event.request.id, 'string', 'the message carries the request')
      seen.push(`${event.request.method} ${event.origin}`)
    }),
  )
  const refusals: string[] = []
  t.teardown(refusalChannel.subscribe((event) => refusals.push(event.code)))

  await app.inject({ url: '/', headers: { origin: 'https://app.example.com' } })
  await app.inject({ url: '/' })
  await app.inject({ url: '/', headers: { origin: 'https://evil.com' } })
  await app.inject(preflight('https://app.example.com.evil.com'))
  await app.inject({ url: '/', headers: { origin: 'null' } })
  t.same(seen, ['GET https://evil.com', 'OPTIONS https://app.example.com.evil.com', 'GET null'])
  t.same(refusals, ['RAMPART_CORS_ORIGIN_NOT_ALLOWED'])
})

t.test("a same-origin request's Origin is no rejection", async (t) => {
  const app = await build({ origins: ['https://app.example.com'] })
  const seen: string[] = []
  t.teardown(rejectedOriginChannel.subscribe((event) => seen.push(event.origin)))
  await app.inject({ method: 'POST', url: '/', headers: { host: 'api.example.com', origin: 'http://api.example.com' } })
  await app.inject({
    method: 'POST',
    url: '/',
    headers: { host: 'api.example.com:80', origin: 'http://api.example.com' },
  })
  await app.inject({
    method: 'POST',
    url: '/',
    headers: { host: 'api.example.com:8080', origin: 'http://api.example.com' },
  })
  await app.inject({
    method: 'POST',
    url: '/',
    headers: { host: 'api.example.com', origin: 'https://api.example.com' },
  })
  t.same(seen, ['http://api.example.com', 'https://api.example.com'], 'other port, other scheme: cross-origin')
})

t.test('behind a trusted proxy, same-origin uses the forwarded protocol and host', async (t) => {
  const app = Fastify()
  setClientAddressResolver(app, new ClientAddressResolver({ trustedProxies: ['10.0.0.1'] }))
  await app.register(problemRepliesPlugin)
  await app.register(rampartCors, { origins: ['https://app.example.com'] })
  app.post('/', async () => 'ok')
  const seen: string[] = []
  t.teardown(rejectedOriginChannel.subscribe((event) => seen.push(event.origin)))
  const headers = {
    host: 'backend:8080',
    origin: 'https://api.example.com',
    'x-forwarded-for': '198.51.100.1',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'api.example.com',
  }
  await app.inject({ method: 'POST', url: '/', remoteAddress: '10.0.0.1', headers })
  t.same(seen, [])
  await app.inject({ method: 'POST', url: '/', remoteAddress: '203.0.113.1', headers })
  t.same(seen, ['https://api.example.com'], 'the same headers from an untrusted peer are not believed')
})

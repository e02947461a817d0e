import { refusalChannel } from '@rampart/core'
import t from 'tap'
import { refusedChannel } from '../src/index.js'
import { build, rawRequest } from './fixtures/helpers.js'

t.test('every refusal publishes rampart:trusted-host:refused and rampart:core:refusal', async (t) => {
  t.equal(refusedChannel.name, 'rampart:trusted-host:refused')
  const app = await build({ allowedHosts: ['example.com'] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as { port: number }

  const refused: (string | undefined)[] = []
  const codes: string[] = []
  const unsubscribe = refusedChannel.subscribe((event) => {
    t.equal(typeof event.request.id, 'string', 'the message carries the request')
    refused.push(event.host)
  })
  const unsubscribeCore = refusalChannel.subscribe((event) =>
    codes.push(`${event.source} ${event.status} ${event.code}`),
  )
  t.teardown(unsubscribe)
  t.teardown(unsubscribeCore)

  await app.inject({ url: '/', headers: { host: 'example.com' } })
  await app.inject({ url: '/', headers: { host: 'Evil.com:8080' } })
  await rawRequest(port, 'GET / HTTP/1.0\r\n\r\n')
  t.same(refused, ['evil.com:8080', undefined])
  t.same(codes, ['trusted-host 400 RAMPART_TRUSTED_HOST_NOT_ALLOWED', 'trusted-host 400 RAMPART_TRUSTED_HOST_MISSING'])
})

import t from 'tap'
import { request } from 'undici'
import { build, SPOOFING_HEADERS } from './fixtures/build.js'

async function listen(options: Parameters<typeof build>[0]) {
  const app = await build(options)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, address }
}

t.test('through a real listener: a 127.0.0.1 peer is trusted only when enabled', async (t) => {
  const enabled = await listen({ enabled: true })
  t.teardown(() => enabled.app.close())
  const trusted = await request(`${enabled.address}/`, {
    headers: { 'x-forwarded-for': '203.0.113.60', 'x-forwarded-proto': 'https' },
  })
  const body = (await trusted.body.json()) as Record<string, unknown>
  t.equal(body.ip, '203.0.113.60')
  t.equal(body.peer, '127.0.0.1')
  t.equal(body.protocol, 'https')
  t.equal(body.viaProxy, true)

  const disabled = await listen({})
  t.teardown(() => disabled.app.close())
  const ignored = await request(`${disabled.address}/`, { headers: { ...SPOOFING_HEADERS, host: 'localhost' } })
  const plain = (await ignored.body.json()) as Record<string, unknown>
  t.equal(plain.ip, '127.0.0.1')
  t.equal(plain.protocol, 'http')
  t.equal(plain.host, 'localhost')
  t.equal(plain.viaProxy, false)

  const elsewhere = await listen({ enabled: true, trustedProxies: ['10.0.0.0/8'] })
  t.teardown(() => elsewhere.app.close())
  const untrusted = await request(`${elsewhere.address}/`, { headers: { 'x-forwarded-for': '203.0.113.60' } })
  t.equal(((await untrusted.body.json()) as Record<string, unknown>).ip, '127.0.0.1')
})

import t from 'tap'
import { build, SPOOFING_HEADERS } from './fixtures/build.js'

t.test('an untrusted peer cannot move its address, protocol or host with any header', async (t) => {
  const app = await build({ enabled: true })
  const response = await app.inject({ url: '/', remoteAddress: '203.0.113.7', headers: SPOOFING_HEADERS })
  t.same(response.json(), {
    ip: '203.0.113.7',
    peer: '203.0.113.7',
    protocol: 'http',
    host: 'api.example.com',
    viaProxy: false,
    clientIp: '203.0.113.7',
  })
})

t.test('each spoofing header alone is ignored from an untrusted peer', async (t) => {
  const app = await build({ enabled: true, trustedProxies: ['10.0.0.0/8'] })
  for (const [name, value] of Object.entries(SPOOFING_HEADERS)) {
    if (name === 'host') continue
    const response = await app.inject({ url: '/', remoteAddress: '198.51.100.20', headers: { [name]: value } })
    const body = response.json()
    t.equal(body.ip, '198.51.100.20', name)
    t.equal(body.protocol, 'http', name)
    t.not(body.host, 'evil.example', name)
    t.equal(body.viaProxy, false, name)
  }
})

t.test('an untrusted IPv6 peer is not trusted because a loopback entry exists', async (t) => {
  const app = await build({ enabled: true })
  const response = await app.inject({ url: '/', remoteAddress: '2001:db8::5', headers: SPOOFING_HEADERS })
  t.equal(response.json().ip, '2001:db8::5')
})

t.test('enabled: false ignores every header, even from a listed proxy', async (t) => {
  for (const options of [{}, { enabled: false }, { enabled: false, trustedProxies: ['0.0.0.0/0', '::/0'] }]) {
    const app = await build(options)
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const response = await app.inject({ url: '/', remoteAddress, headers: SPOOFING_HEADERS })
      const body = response.json()
      t.equal(body.ip, body.peer, `${JSON.stringify(options)} ${remoteAddress}`)
      t.equal(body.protocol, 'http')
      t.equal(body.host, 'api.example.com')
      t.equal(body.viaProxy, false)
    }
  }
})

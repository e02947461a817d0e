import { ClientAddressResolver, setClientAddressResolver } from '@rampart/core'
import t from 'tap'
import { build } from './fixtures/helpers.js'

const PROXY = '10.0.0.1'
const trustProxy = (app: Parameters<typeof setClientAddressResolver>[0]) =>
  setClientAddressResolver(app, new ClientAddressResolver({ trustedProxies: [PROXY] }))

t.test('X-Forwarded-Host from an untrusted peer is ignored', async (t) => {
  const app = await build({ allowedHosts: ['app.example.com'] }, trustProxy)
  const spoofed = await app.inject({
    url: '/',
    remoteAddress: '203.0.113.9',
    headers: { host: 'evil.com', 'x-forwarded-host': 'app.example.com' },
  })
  t.equal(spoofed.statusCode, 400, 'an allowed X-Forwarded-Host does not rescue a bad Host')
  const direct = await app.inject({
    url: '/',
    remoteAddress: '203.0.113.9',
    headers: { host: 'app.example.com', 'x-forwarded-host': 'evil.com' },
  })
  t.equal(direct.statusCode, 200, 'a bad X-Forwarded-Host does not spoil a good Host')
})

t.test('without any resolver nobody is trusted, not even loopback', async (t) => {
  const app = await build({ allowedHosts: ['app.example.com'] })
  const response = await app.inject({
    url: '/',
    remoteAddress: '127.0.0.1',
    headers: { host: 'evil.com', 'x-forwarded-host': 'app.example.com' },
  })
  t.equal(response.statusCode, 400)
})

t.test('X-Forwarded-Host from a trusted proxy is the host that is checked', async (t) => {
  const app = await build({ allowedHosts: ['app.example.com'] }, trustProxy)
  const allowed = await app.inject({
    url: '/',
    remoteAddress: PROXY,
    headers: {
      host: 'internal-upstream:8080',
      'x-forwarded-for': '198.51.100.4',
      'x-forwarded-host': 'APP.example.com',
    },
  })
  t.equal(allowed.statusCode, 200)
  const refused = await app.inject({
    url: '/',
    remoteAddress: PROXY,
    headers: { host: 'app.example.com', 'x-forwarded-for': '198.51.100.4', 'x-forwarded-host': 'evil.com' },
  })
  t.equal(refused.statusCode, 400, 'the proxy says the client asked for evil.com')
  t.equal(refused.json().code, 'RAMPART_TRUSTED_HOST_NOT_ALLOWED')
})

import { ClientAddressResolver, setClientAddressResolver } from '@rampart/core'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { ADDRESS, build, from } from './fixtures/app.js'

const SPOOFS = {
  'x-forwarded-for': ADDRESS.US,
  'x-real-ip': ADDRESS.US,
  forwarded: `for=${ADDRESS.US}`,
  'cf-connecting-ip': ADDRESS.US,
  'true-client-ip': ADDRESS.US,
}

/** Core's proxy trust, as @rampart/proxy-headers installs it: only 10.0.0.0/8 is a proxy. */
function trustTenSlashEight(app: FastifyInstance): void {
  setClientAddressResolver(app, new ClientAddressResolver({ trustedProxies: ['10.0.0.0/8'] }))
}

t.test('without proxy trust, no header moves the client to another country', async (t) => {
  const app = await build({ blockedCountries: ['RU'] })
  const response = await from(app, ADDRESS.RU, SPOOFS)
  t.equal(response.statusCode, 403)
  t.equal(response.json().country, 'RU')
})

t.test('with proxy trust, an untrusted peer still cannot spoof its country', async (t) => {
  const app = await build({ allowedCountries: ['US'] }, trustTenSlashEight)
  for (const [name, value] of Object.entries(SPOOFS)) {
    const response = await from(app, ADDRESS.RU, { [name]: value })
    t.equal(response.statusCode, 403, name)
    t.equal(response.json().country, 'RU', name)
  }
})

t.test('a trusted proxy passes the real client on, and the client cannot prepend a fake hop', async (t) => {
  const app = await build({ blockedCountries: ['RU'] }, trustTenSlashEight)
  const proxied = await from(app, '10.0.0.5', { 'x-forwarded-for': ADDRESS.RU })
  t.equal(proxied.statusCode, 403, 'the client behind the proxy is from RU')
  t.equal(proxied.json().country, 'RU')

  // The client sent "X-Forwarded-For: 8.8.8.8"; the proxy appended the address it saw.
  const spoofed = await from(app, '10.0.0.5', { 'x-forwarded-for': `${ADDRESS.US}, ${ADDRESS.RU}` })
  t.equal(spoofed.statusCode, 403)
  t.equal(spoofed.json().country, 'RU')

  const honest = await from(app, '10.0.0.5', { 'x-forwarded-for': ADDRESS.US })
  t.equal(honest.statusCode, 200)
  t.same(honest.json().lookup, { ip: ADDRESS.US, country: 'US', status: 'found' })
})

t.test('the proxy itself is a private address: its own requests pass, its clients are judged', async (t) => {
  const app = await build({ allowedCountries: ['US'] }, trustTenSlashEight)
  t.equal((await from(app, '10.0.0.5')).statusCode, 200, 'no header: the peer is the client, private')
  t.equal((await from(app, '10.0.0.5', { 'x-forwarded-for': ADDRESS.AU })).statusCode, 403)
})

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClientAddressResolver, declareClientAddress, setClientAddressResolver } from '@rampart/core'
import Fastify from 'fastify'
import t from 'tap'
import { Agent, request } from 'undici'
import rampartHeaders from '../src/index.js'
import { build } from './fixtures/build.js'

const trustLoopback = (app: Parameters<NonNullable<Parameters<typeof build>[1]>>[0]) => {
  declareClientAddress(app)
  setClientAddressResolver(app, new ClientAddressResolver({ trustedProxies: ['127.0.0.1'] }))
}

t.test('HSTS only in production, only over https resolved through trusted proxies', async (t) => {
  const development = await build({}, trustLoopback)
  t.notOk(
    (await development.inject({ url: '/', headers: { 'x-forwarded-proto': 'https' } })).headers[
      'strict-transport-security'
    ],
  )

  const production = await build({ production: true }, trustLoopback)
  t.notOk((await production.inject('/')).headers['strict-transport-security'], 'never over plain http')
  const viaProxy = await production.inject({ url: '/', headers: { 'x-forwarded-proto': 'https' } })
  t.equal(viaProxy.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains')
  const spoofed = await production.inject({
    url: '/',
    remoteAddress: '203.0.113.1',
    headers: { 'x-forwarded-proto': 'https' },
  })
  t.notOk(spoofed.headers['strict-transport-security'], 'X-Forwarded-Proto from an untrusted peer is ignored')

  const preload = await build({ production: true, hsts: { preload: true } }, trustLoopback)
  t.equal(
    (await preload.inject({ url: '/', headers: { 'x-forwarded-proto': 'https' } })).headers[
      'strict-transport-security'
    ],
    'max-age=31536000; includeSubDomains; preload',
  )
  const off = await build({ production: true, hsts: false }, trustLoopback)
  t.notOk(
    (await off.inject({ url: '/', headers: { 'x-forwarded-proto': 'https' } })).headers['strict-transport-security'],
  )
})

t.test('HSTS over a real TLS socket, without any proxy', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-tls-'))
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  )
  const app = Fastify({ https: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) } })
  await app.register(rampartHeaders, { production: true })
  app.get('/', async () => 'ok')
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const { port } = app.server.address() as AddressInfo
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } })
  t.teardown(() => dispatcher.close())
  const response = await request(`https://127.0.0.1:${port}/`, { dispatcher })
  await response.body.dump()
  t.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains')
})

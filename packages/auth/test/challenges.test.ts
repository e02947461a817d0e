import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import t from 'tap'
import rampartAuth from '../src/index.js'
import { build, readerKey } from './fixtures/app.js'
import { HeaderStrategy } from './fixtures/strategies.js'

const BEARER = 'Bearer realm="api"'
const API_KEY = 'ApiKey realm="api", header="X-API-Key"'

t.test('a 401 without credentials lists every configured scheme, one field line each', async (t) => {
  const { app } = await build()
  const response = await app.inject('/api/data')
  t.equal(response.statusCode, 401)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.same(response.headers['www-authenticate'], [BEARER, API_KEY])
  t.same(response.json(), {
    type: 'https://rampart.dev/problems/auth/missing',
    title: 'Unauthorized',
    status: 401,
    code: 'RAMPART_AUTH_MISSING',
    detail: 'Authentication required',
    requestId: response.json().requestId,
  })
})

t.test('on the wire: two WWW-Authenticate field lines (RFC 9110 section 11.6.1)', async (t) => {
  const { app } = await build()
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as AddressInfo
  const raw = await new Promise<string[]>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/api/data' }, (response) => {
        response.resume()
        resolve(response.rawHeaders)
      })
      .on('error', reject)
  })
  const challenges = raw.filter((_, index) => index % 2 === 1 && raw[index - 1]?.toLowerCase() === 'www-authenticate')
  t.same(challenges, [BEARER, API_KEY])
  // fetch() (undici) combines field lines as RFC 9110 section 5.3 allows: one comma-joined value.
  const response = await fetch(`http://127.0.0.1:${port}/api/data`)
  t.equal(response.headers.get('www-authenticate'), `${BEARER}, ${API_KEY}`)
})

t.test('an invalid credential: its scheme carries error and error_description, the others stay bare', async (t) => {
  const { app } = await build()
  const token = await app.inject({ url: '/api/data', headers: { 'x-token': 'forged' } })
  t.same(token.headers['www-authenticate'], [
    `${BEARER}, error="invalid_token", error_description="expired token"`,
    API_KEY,
  ])
  const key = await app.inject({ url: '/api/data', headers: { 'x-api-key': 'two words' } })
  t.same(key.headers['www-authenticate'], [
    BEARER,
    `${API_KEY}, error="invalid_request", error_description="malformed API key"`,
  ])
})

t.test('a bare scheme gets its params after a space, and descriptions cannot break the header', async (t) => {
  const app = Fastify()
  const strategy = new HeaderStrategy('custom', 'Custom', 'x-custom', {})
  strategy.authenticate = () => ({
    status: 'invalid',
    error: 'invalid_token',
    description: 'bad "quote" \\ and\r\nX-Injected: yes \u00e9',
  })
  await app.register(rampartAuth, { strategies: [strategy] })
  app.get('/x', async () => 'ok')
  const response = await app.inject({ url: '/x', headers: { 'x-custom': 'a' } })
  t.equal(
    response.headers['www-authenticate'],
    'Custom error="invalid_token", error_description="bad \\"quote\\" \\\\ andX-Injected: yes "',
  )
  t.equal(response.headers['x-injected'], undefined)
})

t.test('a route limited to some strategies lists only theirs', async (t) => {
  const { app } = await build()
  t.equal((await app.inject('/api/protected')).headers['www-authenticate'], BEARER)
  t.equal((await app.inject('/api/service')).headers['www-authenticate'], API_KEY)
})

t.test('403 for a missing scope names the scope in the challenge of the strategy used', async (t) => {
  const { app } = await build()
  const response = await app.inject({ method: 'POST', url: '/api/invoices', headers: { 'x-api-key': readerKey.key } })
  t.equal(response.statusCode, 403)
  t.equal(response.json().code, 'RAMPART_AUTH_INSUFFICIENT_SCOPE')
  t.equal(response.json().detail, 'missing scope: invoices')
  t.equal(response.headers['www-authenticate'], `${API_KEY}, error="insufficient_scope", scope="invoices"`)
  const user = await app.inject({ method: 'POST', url: '/api/invoices', headers: { 'x-token': 'alice' } })
  t.equal(user.statusCode, 403)
  t.equal(user.headers['www-authenticate'], `${BEARER}, error="insufficient_scope", scope="invoices"`)
})

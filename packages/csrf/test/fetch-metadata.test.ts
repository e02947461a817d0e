import { ClientAddressResolver, setClientAddressResolver } from '@rampart/core'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { CsrfOptions } from '../src/index.js'
import { build, cookieHeader, fetchToken } from './fixtures/helpers.js'

/** An app behind a trusted proxy at 127.0.0.1 (the inject peer), and a valid token for session s1. */
async function behindProxy(options: Partial<CsrfOptions> = {}) {
  const app = await build(options, (app) => {
    setClientAddressResolver(app, new ClientAddressResolver({ trustedProxies: ['127.0.0.1'] }))
  })
  const { token } = await fetchToken(app, { sid: 's1' })
  return { app, token }
}

function send(app: FastifyInstance, token: string, headers: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url: '/api/items',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'x-csrf-token': token, ...headers },
  })
}

const PROXIED = { host: 'internal:3000', 'x-forwarded-host': 'example.com', 'x-forwarded-proto': 'https' }

t.test("the own origin comes from core's trusted host and protocol resolution", async (t) => {
  const { app, token } = await behindProxy()
  t.equal((await send(app, token, { ...PROXIED, origin: 'https://example.com' })).statusCode, 200)
  t.equal(
    (await send(app, token, { ...PROXIED, 'x-forwarded-host': 'example.com:443', origin: 'https://example.com' }))
      .statusCode,
    200,
    'default port dropped',
  )
  for (const origin of [
    'http://example.com',
    'https://internal:3000',
    'https://evilexample.com',
    'https://example.com:443',
  ]) {
    const response = await send(app, token, { ...PROXIED, origin })
    t.equal(response.json().code, 'RAMPART_CSRF_ORIGIN', origin)
  }
  // without a trusted proxy the forwarded headers are the client's word, and ignored
  const direct = await build()
  const { token: directToken } = await fetchToken(direct, { sid: 's1' })
  const spoofed = await send(direct, directToken, { ...PROXIED, origin: 'https://example.com' })
  t.equal(spoofed.json().code, 'RAMPART_CSRF_ORIGIN')
  t.equal((await send(direct, directToken, { host: 'internal:3000', origin: 'http://internal:3000' })).statusCode, 200)
  t.equal((await send(direct, directToken, { host: 'example.com:80', origin: 'http://example.com' })).statusCode, 200)
})

t.test('Sec-Fetch-Site: same-origin and none pass; cross-site, same-site and anything else do not', async (t) => {
  const { app, token } = await behindProxy()
  t.equal((await send(app, token, { 'sec-fetch-site': 'same-origin' })).statusCode, 200)
  t.equal((await send(app, token, { 'sec-fetch-site': 'none' })).statusCode, 200)
  for (const site of ['cross-site', 'same-site', 'Same-Origin', 'same-origin, cross-site', '']) {
    const response = await send(app, token, { 'sec-fetch-site': site })
    t.equal(response.statusCode, 403, JSON.stringify(site))
    t.equal(response.json().code, 'RAMPART_CSRF_CROSS_SITE', JSON.stringify(site))
  }
  t.equal(
    (await send(app, token, { ...PROXIED, 'sec-fetch-site': 'cross-site', origin: 'https://evil.com' })).json().code,
    'RAMPART_CSRF_CROSS_SITE',
    'Sec-Fetch-Site is checked first',
  )
  t.equal(
    (await send(app, token, { ...PROXIED, 'sec-fetch-site': 'same-origin', origin: 'https://evil.com' })).json().code,
    'RAMPART_CSRF_ORIGIN',
    'and Origin still must match',
  )
})

t.test('allowSameSite accepts sibling subdomains, still within allowed origins', async (t) => {
  const { app, token } = await behindProxy({ allowSameSite: true, allowedOrigins: ['https://app.example.com'] })
  t.equal(
    (await send(app, token, { ...PROXIED, 'sec-fetch-site': 'same-site', origin: 'https://app.example.com' }))
      .statusCode,
    200,
  )
  t.equal(
    (await send(app, token, { ...PROXIED, 'sec-fetch-site': 'same-site', origin: 'https://blog.example.com' })).json()
      .code,
    'RAMPART_CSRF_ORIGIN',
  )
  t.equal((await send(app, token, { 'sec-fetch-site': 'cross-site' })).json().code, 'RAMPART_CSRF_CROSS_SITE')
})

t.test('allowedOrigins are trusted even cross-site (a front end on another site), and only exactly', async (t) => {
  const { app, token } = await behindProxy({ allowedOrigins: ['https://app.partner.io'] })
  const ok = await send(app, token, { ...PROXIED, 'sec-fetch-site': 'cross-site', origin: 'https://app.partner.io' })
  t.equal(ok.statusCode, 200)
  for (const origin of [
    'https://app.partner.io.evil.com',
    'https://app.partner.i',
    'http://app.partner.io',
    'https://xapp.partner.io',
  ]) {
    const response = await send(app, token, { ...PROXIED, 'sec-fetch-site': 'cross-site', origin })
    t.equal(response.json().code, 'RAMPART_CSRF_CROSS_SITE', origin)
  }
  t.equal(
    (await send(app, token, { ...PROXIED, origin: 'https://example.com' })).statusCode,
    200,
    'the own origin still passes',
  )
  // the trusted origin still needs a token: the layers add up
  const noToken = await app.inject({
    method: 'POST',
    url: '/api/items',
    headers: { cookie: cookieHeader({ sid: 's1' }), ...PROXIED, origin: 'https://app.partner.io' },
  })
  t.equal(noToken.json().code, 'RAMPART_CSRF_MISSING')
})

t.test('without a usable Host, only allowedOrigins can match an Origin', async (t) => {
  const { app, token } = await behindProxy()
  const response = await send(app, token, { host: 'bad host!', origin: 'http://bad host!' })
  t.equal(response.json().code, 'RAMPART_CSRF_ORIGIN')
})

t.test('requests without Origin and Sec-Fetch-Site (non-browser clients) go on to the token check', async (t) => {
  const { app, token } = await behindProxy()
  t.equal((await send(app, token, {})).statusCode, 200)
  const noToken = await app.inject({
    method: 'POST',
    url: '/api/items',
    headers: { cookie: cookieHeader({ sid: 's1' }) },
  })
  t.equal(noToken.json().code, 'RAMPART_CSRF_MISSING')
})

t.test('fetchMetadata: false leaves the token check alone', async (t) => {
  const { app, token } = await behindProxy({ fetchMetadata: false })
  t.equal((await send(app, token, { 'sec-fetch-site': 'cross-site', origin: 'null' })).statusCode, 200)
  t.equal((await send(app, 'forged', { 'sec-fetch-site': 'cross-site' })).json().code, 'RAMPART_CSRF_INVALID')
})

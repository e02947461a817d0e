import t from 'tap'
import { type RejectedEvent, rejectedChannel, verifiedChannel } from '../src/index.js'
import { buildApp, fakeClock, KEY_ID, OTHER_ID, OTHER_SECRET, SECRET, signed } from './fixtures/helpers.js'

const body = JSON.stringify({ amount: 10 })
const json = { 'content-type': 'application/json' }

function events(t: { teardown: (fn: () => void) => void }) {
  const rejected: Omit<RejectedEvent, 'request'>[] = []
  const verified: string[] = []
  t.teardown(rejectedChannel.subscribe(({ reason, keyId }) => rejected.push(keyId ? { reason, keyId } : { reason })))
  t.teardown(verifiedChannel.subscribe(({ keyId }) => verified.push(keyId)))
  return { rejected, verified }
}

t.test('a valid signature passes, and the JSON handler gets its parsed, validated body', async (t) => {
  const app = await buildApp(t)
  const seen = events(t)
  const response = await app.inject(signed({ method: 'POST', url: '/api/echo', body }, json))
  t.equal(response.statusCode, 200)
  t.same(response.json(), { received: { amount: 10 }, keyId: KEY_ID })
  t.same(seen.verified, [KEY_ID])
  t.same(seen.rejected, [])
})

t.test('the body schema still runs after verification', async (t) => {
  const app = await buildApp(t)
  const response = await app.inject(signed({ method: 'POST', url: '/api/echo', body: '{"amount":"x"}' }, json))
  t.equal(response.statusCode, 400, 'a signed but schema-invalid body is a validation error, not a 401')
})

t.test('a second key works (rotation), each with its own secret', async (t) => {
  const app = await buildApp(t)
  const good = await app.inject(
    signed({ keyId: OTHER_ID, secret: OTHER_SECRET, method: 'POST', url: '/api/echo', body }, json),
  )
  t.equal(good.statusCode, 200)
  t.equal(good.json().keyId, OTHER_ID)
  const crossed = await app.inject(
    signed({ keyId: OTHER_ID, secret: SECRET, method: 'POST', url: '/api/echo', body }, json),
  )
  t.equal(crossed.statusCode, 401, "one key's secret does not sign for another key id")
  t.equal(crossed.json().code, 'RAMPART_SIGNATURE_INVALID')
})

t.test('tampering with the body, path, query or method is refused with RAMPART_SIGNATURE_INVALID', async (t) => {
  const app = await buildApp(t)
  const seen = events(t)
  const cases: [string, ReturnType<typeof signed>][] = []
  const base = signed({ method: 'POST', url: '/api/echo', body }, json)
  cases.push(['body', { ...base, payload: JSON.stringify({ amount: 1000 }) }])
  cases.push(['body, one byte appended', { ...base, payload: `${body} ` }])
  const item = signed({ method: 'DELETE', url: '/api/items/1' })
  cases.push(['path', { ...item, url: '/api/items/2' }])
  cases.push(['path spelling', { ...item, url: '/api//items/1' }])
  cases.push(['method', { ...item, method: 'GET' as const }])
  const query = signed({ method: 'GET', url: '/api/items?limit=10&page=2' })
  cases.push(['query value', { ...query, url: '/api/items?limit=1000&page=2' }])
  cases.push(['query added', { ...query, url: '/api/items?limit=10&page=2&admin=true' }])
  cases.push(['query removed', { ...query, url: '/api/items?limit=10' }])
  cases.push(['query dropped entirely', { ...query, url: '/api/items' }])
  const plus = signed({ method: 'GET', url: '/api/items?q=a%2Bb' })
  cases.push(['%2B turned into + (a space for the parser)', { ...plus, url: '/api/items?q=a+b' }])
  const repeated = signed({ method: 'GET', url: '/api/items?sort=name&sort=date' })
  cases.push(['order of a repeated parameter', { ...repeated, url: '/api/items?sort=date&sort=name' }])
  cases.push([
    'timestamp',
    {
      ...base,
      headers: { ...base.headers, 'x-signature-timestamp': String(Number(base.headers['x-signature-timestamp']) - 1) },
    },
  ])
  cases.push(['nonce', { ...base, headers: { ...base.headers, 'x-signature-nonce': 'another-nonce-0123456789' } }])
  for (const [what, request] of cases) {
    const response = await app.inject(request)
    t.equal(response.statusCode, 401, what)
    t.equal(response.json().code, 'RAMPART_SIGNATURE_INVALID', what)
    t.match(response.headers['content-type'], /^application\/problem\+json/, what)
    t.equal(response.headers['www-authenticate'], 'RAMPART-HMAC-SHA256 realm="api"', what)
  }
  t.equal(seen.rejected.length, cases.length)
  t.ok(seen.rejected.every((event) => event.reason === 'invalid' && event.keyId === KEY_ID))
  t.same(seen.verified, [])
})

t.test('what does not change the meaning of the query does not break the signature', async (t) => {
  const app = await buildApp(t)
  const variants: [string, string][] = [
    ['/api/items?b=2&a=1', '/api/items?a=1&b=2'],
    ['/api/items?q=a%20b', '/api/items?q=a+b'],
    ['/api/items?q=%7e', '/api/items?q=~'],
    ['/api/items?q=caf%C3%A9', '/api/items?q=caf%c3%a9'],
    ['/api/items?flag&x=1', '/api/items?x=1&flag='],
  ]
  for (const [signedUrl, sentUrl] of variants) {
    const request = signed({ method: 'GET', url: signedUrl })
    const response = await app.inject({ ...request, url: sentUrl })
    t.equal(response.statusCode, 200, `${signedUrl} signed, ${sentUrl} sent`)
  }
})

t.test('an unknown key id is refused with RAMPART_SIGNATURE_UNKNOWN_KEY (and never echoed)', async (t) => {
  const app = await buildApp(t)
  const seen = events(t)
  const request = signed({ keyId: 'nobody', method: 'GET', url: '/api/items' })
  const response = await app.inject(request)
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'RAMPART_SIGNATURE_UNKNOWN_KEY')
  t.notMatch(response.body, /nobody/)
  t.same(seen.rejected, [{ reason: 'unknown-key' }])
  const odd = await app.inject({ ...request, headers: { ...request.headers, 'x-signature-key-id': '../../etc' } })
  t.equal(odd.json().code, 'RAMPART_SIGNATURE_UNKNOWN_KEY')
})

t.test('missing headers on a required route: RAMPART_SIGNATURE_MISSING, before the body is read', async (t) => {
  const app = await buildApp(t)
  const seen = events(t)
  const none = await app.inject({ method: 'POST', url: '/api/echo', payload: body, headers: json })
  t.equal(none.statusCode, 401)
  t.equal(none.json().code, 'RAMPART_SIGNATURE_MISSING')
  t.equal(none.headers['www-authenticate'], 'RAMPART-HMAC-SHA256 realm="api"')
  const request = signed({ method: 'POST', url: '/api/echo', body }, json)
  for (const header of ['x-signature-key-id', 'x-signature', 'x-signature-timestamp', 'x-signature-nonce']) {
    const headers: Record<string, string> = { ...request.headers }
    delete headers[header]
    const response = await app.inject({ ...request, headers })
    t.equal(response.statusCode, 401, header)
    t.equal(response.json().code, 'RAMPART_SIGNATURE_MISSING', header)
    t.match(response.json().detail, header)
  }
  t.equal(seen.rejected.length, 5)
  t.ok(seen.rejected.every((event) => event.reason === 'missing'))
  const notFound = await app.inject('/api/does-not-exist')
  t.equal(notFound.statusCode, 401, 'required paths do not reveal which routes exist')
})

t.test('malformed headers are RAMPART_SIGNATURE_INVALID', async (t) => {
  const app = await buildApp(t)
  const request = signed({ method: 'GET', url: '/api/items' })
  const bad: Record<string, string>[] = [
    { 'x-signature': 'zz' },
    { 'x-signature': `${request.headers['x-signature']}00` },
    { 'x-signature-timestamp': '-1' },
    { 'x-signature-timestamp': '1.5' },
    { 'x-signature-timestamp': ` ${request.headers['x-signature-timestamp']}` },
    { 'x-signature-nonce': 'short' },
    { 'x-signature-nonce': 'has spaces in it, sixteen+' },
    { 'x-signature-nonce': 'x'.repeat(129) },
  ]
  for (const change of bad) {
    const response = await app.inject({ ...request, headers: { ...request.headers, ...change } })
    t.equal(response.statusCode, 401, JSON.stringify(change))
    t.equal(response.json().code, 'RAMPART_SIGNATURE_INVALID', JSON.stringify(change))
  }
  const upper = await app.inject({
    ...request,
    headers: { ...request.headers, 'x-signature': request.headers['x-signature'].toUpperCase() },
  })
  t.equal(upper.statusCode, 200, 'hex is case-insensitive')
})

t.test('timestamps: ±tolerance accepted, one second beyond refused as RAMPART_SIGNATURE_EXPIRED', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now })
  const seen = events(t)
  const at = (ms: number) => signed({ method: 'GET', url: '/api/items', now: () => ms })
  const server = clock.now()
  t.equal((await app.inject(at(server - 300_000))).statusCode, 200, '300 s old')
  t.equal((await app.inject(at(server + 300_000))).statusCode, 200, '300 s ahead')
  const old = await app.inject(at(server - 301_000))
  t.equal(old.statusCode, 401)
  t.equal(old.json().code, 'RAMPART_SIGNATURE_EXPIRED')
  t.match(old.json().detail, /in the past/)
  t.equal(old.json().serverTime, server / 1000, 'the server time is given, for clients with a skewed clock')
  const ahead = await app.inject(at(server + 301_000))
  t.equal(ahead.json().code, 'RAMPART_SIGNATURE_EXPIRED')
  t.match(ahead.json().detail, /in the future/)
  t.same(
    seen.rejected.map((event) => event.reason),
    ['expired', 'expired'],
  )
  const ancient = await app.inject(at(0))
  t.equal(ancient.json().code, 'RAMPART_SIGNATURE_EXPIRED')
})

t.test('the tolerance is an option', async (t) => {
  const clock = fakeClock()
  const app = await buildApp(t, { now: clock.now, tolerance: 30 })
  const at = (ms: number) => signed({ method: 'GET', url: '/api/items', now: () => ms })
  t.equal((await app.inject(at(clock.now() - 30_000))).statusCode, 200)
  t.equal((await app.inject(at(clock.now() - 31_000))).statusCode, 401)
})

t.test('where a signature is required, optional, or never looked at', async (t) => {
  const app = await buildApp(t, { required: ['/api/echo', '/api/admin'], realm: 'payments' }, (app) => {
    app.get('/api/admin/stats', async () => ({ ok: true }))
    app.get('/api/open', { config: { rampart: { signature: false } } }, async () => ({ ok: true }))
    app.get('/api/strict', { config: { rampart: { signature: { required: true } } } }, async () => ({ ok: true }))
    app.get('/api/admin/relaxed', { config: { rampart: { signature: { required: false } } } }, async () => ({
      ok: true,
    }))
  })
  // Optional: unsigned passes, a bad signature is still refused, a good one is verified.
  t.equal((await app.inject('/api/items')).statusCode, 200, 'optional route, unsigned')
  const good = signed({ method: 'GET', url: '/api/items' })
  t.equal((await app.inject(good)).json().keyId, KEY_ID, 'optional route, signed: verified')
  const forged = { ...good, headers: { ...good.headers, 'x-signature': '0'.repeat(64) } }
  t.equal((await app.inject(forged)).statusCode, 401, 'optional route, bad signature: refused all the same')
  const partial = await app.inject({ url: '/api/items', headers: { 'x-signature-key-id': KEY_ID } })
  t.equal(partial.json().code, 'RAMPART_SIGNATURE_MISSING', 'optional route, some headers only: refused')

  // Required by prefix, whatever the spelling of the path.
  for (const url of ['/api/admin/stats', '//api/admin/stats', '/api/%61dmin/stats', '/api/admin/stats/']) {
    const response = await app.inject(url)
    t.equal(response.statusCode, 401, url)
    t.equal(response.headers['www-authenticate'], 'RAMPART-HMAC-SHA256 realm="payments"')
  }
  // Per route.
  t.equal((await app.inject('/api/strict')).statusCode, 401, 'config required: true')
  t.equal((await app.inject('/api/admin/relaxed')).statusCode, 200, 'config required: false beats the prefix')
  t.equal((await app.inject({ ...forged, url: '/api/open' })).statusCode, 200, 'config false: never looked at')
  // Public paths (default list).
  t.equal((await app.inject({ ...forged, url: '/health' })).statusCode, 200, '/health is public')
})

t.test('required: false verifies only what is signed; required: true everywhere but public paths', async (t) => {
  const relaxed = await buildApp(t, { required: false })
  t.equal((await relaxed.inject({ method: 'DELETE', url: '/api/items/1' })).statusCode, 200)
  const strict = await buildApp(t, { publicPaths: ['/health', '/api/items'] })
  t.equal((await strict.inject({ method: 'DELETE', url: '/api/items/1' })).statusCode, 200, 'public prefix')
  t.equal((await strict.inject({ method: 'POST', url: '/api/trigger' })).statusCode, 401)
})

t.test('the request decorator is null when nothing was verified', async (t) => {
  const app = await buildApp(t, { required: false })
  t.equal((await app.inject('/api/items')).json().keyId, null)
})

import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import t from 'tap'
import { EMPTY_BODY_SHA256, signRequest } from '../src/index.js'
import { buildApp, KEY_ID, SECRET, signed } from './fixtures/helpers.js'

const octets = { 'content-type': 'application/octet-stream' }

t.test('a binary body (random bytes, invalid UTF-8 included) is hashed byte for byte', async (t) => {
  const app = await buildApp(t)
  for (const size of [1, 255, 65_536 + 17]) {
    const bytes = randomBytes(size)
    bytes[0] = 0xff // never valid UTF-8: the seed's body.decode() would have failed here
    const response = await app.inject(signed({ method: 'POST', url: '/api/binary', body: bytes }, octets))
    t.equal(response.statusCode, 200, `${size} bytes`)
    t.same(response.json(), { length: size, sha256: createHash('sha256').update(bytes).digest('hex') })
    const flipped = Buffer.from(bytes)
    flipped[size - 1] = (flipped[size - 1] as number) ^ 1
    const tampered = await app.inject({
      ...signed({ method: 'POST', url: '/api/binary', body: bytes }, octets),
      payload: flipped,
    })
    t.equal(tampered.statusCode, 401, `${size} bytes, one bit flipped`)
  }
})

t.test('a body that is not valid UTF-8 cannot be swapped for its lossy decoding', async (t) => {
  const app = await buildApp(t)
  const bytes = Buffer.from([0x61, 0xff, 0x62])
  const request = signed({ method: 'POST', url: '/api/binary', body: bytes }, octets)
  const lossy = Buffer.from(bytes.toString('utf8'), 'utf8') // a\uFFFDb
  t.equal((await app.inject({ ...request, payload: lossy })).statusCode, 401)
})

t.test('an empty body hashes as the empty string, with or without Content-Length: 0', async (t) => {
  const app = await buildApp(t)
  t.equal(EMPTY_BODY_SHA256, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  const bare = await app.inject(signed({ method: 'POST', url: '/api/trigger' }))
  t.equal(bare.statusCode, 200)
  t.same(bare.json(), { body: null, keyId: KEY_ID })
  const zero = await app.inject(signed({ method: 'POST', url: '/api/trigger', body: '' }, { 'content-length': '0' }))
  t.equal(zero.statusCode, 200)
  const emptyBinary = await app.inject(signed({ method: 'POST', url: '/api/binary', body: Buffer.alloc(0) }, octets))
  t.equal(emptyBinary.statusCode, 200)
  t.same(emptyBinary.json(), { length: 0, sha256: EMPTY_BODY_SHA256 })
  const request = signed({ method: 'POST', url: '/api/trigger' })
  const added = await app.inject({
    ...request,
    payload: 'injected',
    headers: { ...request.headers, 'content-type': 'text/plain' },
  })
  t.equal(added.statusCode, 401, 'a body added to a request signed without one is refused')
})

t.test('GET: Fastify never reads a body, so none is signed', async (t) => {
  const app = await buildApp(t)
  const request = signed({ method: 'GET', url: '/api/items' })
  const response = await app.inject({
    ...request,
    payload: 'ignored',
    headers: { ...request.headers, 'content-type': 'text/plain' },
  })
  t.equal(response.statusCode, 200, 'the route never sees that body')
  t.throws(() => signRequest({ keyId: KEY_ID, secret: SECRET, method: 'GET', url: '/api/items', body: 'x' }), {
    code: 'RAMPART_SIGNATURE_INVALID_ARGUMENT',
  })
})

t.test('a streamed body (no Content-Length) is hashed as it streams', async (t) => {
  const app = await buildApp(t)
  const parts = [randomBytes(10_000), randomBytes(30_000), randomBytes(5)]
  const whole = Buffer.concat(parts)
  const headers = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', url: '/api/binary', body: whole })
  const response = await app.inject({
    method: 'POST',
    url: '/api/binary',
    headers: { ...headers, ...octets },
    payload: Readable.from(parts),
  })
  t.equal(response.statusCode, 200)
  t.equal(response.json().sha256, createHash('sha256').update(whole).digest('hex'))
})

t.test('bodyLimit and Content-Length checks still apply through the hashing stream', async (t) => {
  const app = await buildApp(t, {}, (app) => {
    app.post('/api/small', { bodyLimit: 100 }, async (request) => ({ length: (request.body as Buffer).length }))
  })
  const big = randomBytes(1000)
  const tooLarge = await app.inject(signed({ method: 'POST', url: '/api/small', body: big }, octets))
  t.equal(tooLarge.statusCode, 413)
  const headers = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', url: '/api/small', body: big })
  const streamed = await app.inject({
    method: 'POST',
    url: '/api/small',
    headers: { ...headers, ...octets },
    payload: Readable.from([big.subarray(0, 60), big.subarray(60)]),
  })
  t.equal(streamed.statusCode, 413, 'a streamed body over the limit is cut off as without the plugin')
  const small = randomBytes(50)
  t.equal((await app.inject(signed({ method: 'POST', url: '/api/small', body: small }, octets))).statusCode, 200)
})

t.test(
  'a parser that hands the raw stream to the handler: refused, never verified against a guessed hash',
  async (t) => {
    const app = await buildApp(t, {}, (app) => {
      app.addContentTypeParser('application/x-passthrough', (_request, payload, done) => done(null, payload))
      app.post('/api/stream', async () => ({ ok: true }))
    })
    const body = 'streamed to the handler'
    const response = await app.inject(
      signed({ method: 'POST', url: '/api/stream', body }, { 'content-type': 'application/x-passthrough' }),
    )
    t.equal(response.statusCode, 401)
    t.equal(response.json().code, 'RAMPART_SIGNATURE_INVALID')
    t.match(response.json().detail, /not read/)
    const empty = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', url: '/api/stream' })
    const sneaked = await app.inject({
      method: 'POST',
      url: '/api/stream',
      headers: { ...empty, 'content-type': 'application/x-passthrough' },
      payload: body,
    })
    t.equal(sneaked.statusCode, 401, 'a body added to an empty-body signature does not slip through unread')
  },
)

t.test('a body the route refuses to parse never reaches verification', async (t) => {
  const app = await buildApp(t)
  const response = await app.inject(
    signed({ method: 'POST', url: '/api/echo', body: '{not json' }, { 'content-type': 'application/json' }),
  )
  t.equal(response.statusCode, 400)
})

import t from 'tap'
import { canonicalString, EMPTY_BODY_SHA256, hmacSha256, type SignRequestOptions, signRequest } from '../src/index.js'

const base: SignRequestOptions = {
  keyId: 'client-1',
  secret: 's'.repeat(32),
  method: 'post',
  url: 'https://api.example.com/v1/orders?x=1',
  now: () => 1_700_000_000_999,
  nonce: 'nonce-nonce-nonce-1',
}

function expected(path: string, query: string, bodySha256 = EMPTY_BODY_SHA256, method = 'POST'): string {
  return hmacSha256(
    's'.repeat(32),
    canonicalString({ method, path, query, timestamp: '1700000000', nonce: 'nonce-nonce-nonce-1', bodySha256 }),
  ).toString('hex')
}

t.test('returns the four headers; method upper-cased; timestamp in whole seconds', async (t) => {
  const headers = signRequest(base)
  t.same(Object.keys(headers).sort(), [
    'x-signature',
    'x-signature-key-id',
    'x-signature-nonce',
    'x-signature-timestamp',
  ])
  t.equal(headers['x-signature-timestamp'], '1700000000')
  t.equal(headers['x-signature'], expected('/v1/orders', 'x=1'))
  t.match(headers['x-signature'], /^[0-9a-f]{64}$/)
})

t.test('url forms: absolute, URL object, path; WHATWG-normalised as fetch sends them', async (t) => {
  t.equal(
    signRequest({ ...base, url: new URL('https://h/v1/orders?x=1') })['x-signature'],
    expected('/v1/orders', 'x=1'),
  )
  t.equal(signRequest({ ...base, url: '/v1/orders?x=1' })['x-signature'], expected('/v1/orders', 'x=1'))
  t.equal(signRequest({ ...base, url: '/v1/a/../orders?x=1' })['x-signature'], expected('/v1/orders', 'x=1'))
  t.equal(signRequest({ ...base, url: '//v1/orders' })['x-signature'], expected('//v1/orders', ''), '`//` stays a path')
  t.equal(signRequest({ ...base, url: 'https://h' })['x-signature'], expected('/', ''))
  t.equal(signRequest({ ...base, url: 'https://h/a b?q=1#frag' })['x-signature'], expected('/a%20b', 'q=1'))
})

t.test('bodies: string as UTF-8, bytes, ArrayBuffer, empty, or a precomputed hash', async (t) => {
  const sha = 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c' // sha256("foo\n")
  const want = expected('/v1/orders', 'x=1', sha)
  t.equal(signRequest({ ...base, body: 'foo\n' })['x-signature'], want)
  t.equal(signRequest({ ...base, body: Buffer.from('foo\n') })['x-signature'], want)
  t.equal(signRequest({ ...base, body: new TextEncoder().encode('foo\n').buffer as ArrayBuffer })['x-signature'], want)
  t.equal(signRequest({ ...base, bodySha256: sha })['x-signature'], want)
  t.equal(signRequest({ ...base, body: '' })['x-signature'], expected('/v1/orders', 'x=1'))
  t.equal(signRequest({ ...base, body: null })['x-signature'], expected('/v1/orders', 'x=1'))
  t.equal(
    signRequest({ ...base, method: 'GET', body: '' })['x-signature'],
    expected('/v1/orders', 'x=1', EMPTY_BODY_SHA256, 'GET'),
  )
})

t.test('bad arguments throw RAMPART_SIGNATURE_INVALID_ARGUMENT', async (t) => {
  const bad: [Partial<SignRequestOptions> | Record<string, unknown>, RegExp][] = [
    [{ keyId: 'has space' }, /keyId/],
    [{ keyId: '' }, /keyId/],
    [{ secret: 'short' }, /at least 32 bytes/],
    [{ secret: new Uint8Array(31) }, /at least 32 bytes/],
    [{ secret: 42 }, /secret must be/],
    [{ method: 'PO ST' }, /method/],
    [{ url: '' }, /url/],
    [{ url: 'not a url' }, /url is not a valid/],
    [{ body: 42 }, /body must be/],
    [{ body: 'x', bodySha256: EMPTY_BODY_SHA256 }, /not both/],
    [{ bodySha256: 'XYZ' }, /bodySha256/],
    [{ method: 'HEAD', body: 'x' }, /cannot carry a body/],
    [{ nonce: 'short' }, /nonce/],
    [{ nonce: 'has/slash/in/it/0123' }, /nonce/],
    [{ now: () => Number.NaN }, /now/],
    [{ now: 'yesterday' }, /now/],
  ]
  for (const [change, message] of bad) {
    t.throws(
      () => signRequest({ ...base, ...change } as SignRequestOptions),
      { code: 'RAMPART_SIGNATURE_INVALID_ARGUMENT', message },
      JSON.stringify(change),
    )
  }
  t.throws(() => signRequest(null as unknown as SignRequestOptions), { code: 'RAMPART_SIGNATURE_INVALID_ARGUMENT' })
})

import { spawnSync } from 'node:child_process'
import Fastify from 'fastify'
import t from 'tap'
import {
  canonicalQuery,
  canonicalString,
  EMPTY_BODY_SHA256,
  encodeRfc3986,
  hmacSha256,
  signRequest,
} from '../src/index.js'

const SECRET = 'k'.repeat(32)

t.test('the canonical string: seven lines, scheme first, no trailing newline', async (t) => {
  const text = canonicalString({
    method: 'POST',
    path: '/api/orders',
    query: 'b=2&a=1',
    timestamp: '1735689600',
    nonce: 'abcdefghijklmnop',
    bodySha256: EMPTY_BODY_SHA256,
  })
  t.equal(text, `RAMPART-HMAC-SHA256\nPOST\n/api/orders\na=1&b=2\n1735689600\nabcdefghijklmnop\n${EMPTY_BODY_SHA256}`)
})

// Computed with openssl alone (see the README's snippet), not with this package.
t.test('a fixed test vector (for client implementations in other languages)', async (t) => {
  const headers = signRequest({
    keyId: 'client-1',
    secret: SECRET,
    method: 'POST',
    url: 'https://api.example.com/api/orders?dry_run=1&currency=EUR',
    body: '{"amount":10}',
    now: () => 1_735_689_600_000,
    nonce: '0123456789abcdef0123456789abcdef',
  })
  t.same(headers, {
    'x-signature-key-id': 'client-1',
    'x-signature': 'bc2331809138268cc29be173ef78c4907964ec211bd1c5e1ef167ef6c428aaba',
    'x-signature-timestamp': '1735689600',
    'x-signature-nonce': '0123456789abcdef0123456789abcdef',
  })
})

const hasOpenssl = spawnSync('openssl', ['version']).status === 0

t.test('hmacSha256 agrees with openssl', { skip: hasOpenssl ? false : 'openssl is not installed' }, async (t) => {
  const text = canonicalString({
    method: 'PUT',
    path: '/x/%C3%A9',
    query: 'q=1',
    timestamp: '1',
    nonce: 'nnnnnnnnnnnnnnnn',
    bodySha256: EMPTY_BODY_SHA256,
  })
  const openssl = spawnSync('openssl', ['dgst', '-sha256', '-hmac', SECRET, '-r'], { input: text })
  t.equal(openssl.stdout.toString().split(' ')[0], hmacSha256(SECRET, text).toString('hex'))
})

t.test('canonical queries', async (t) => {
  const cases: [string, string][] = [
    ['', ''],
    ['a=1', 'a=1'],
    ['b=2&a=1', 'a=1&b=2'],
    ['sort=name&sort=date&a=1', 'a=1&sort=name&sort=date'],
    ['q=a+b', 'q=a%20b'],
    ['q=a%2Bb', 'q=a%2Bb'],
    ['q=%7e%2d', 'q=~-'],
    ['q=caf%c3%a9', 'q=caf%C3%A9'],
    ['q=café', 'q=caf%C3%A9'],
    ['flag', 'flag='],
    ['a=1&&b=2&', 'a=1&b=2'],
    ['=x', '=x'],
    ['a=1=2', 'a=1%3D2'],
    ['a%3Db=c', 'a%3Db=c'],
    ['q=%zz', 'q=%25zz'],
    ['q=%FF', 'q=%25FF'],
    ["q=!'()*", 'q=%21%27%28%29%2A'],
    ['Z=1&a=1', 'Z=1&a=1'],
  ]
  for (const [raw, canonical] of cases) t.equal(canonicalQuery(raw), canonical, JSON.stringify(raw))
  t.equal(encodeRfc3986('a b/é'), 'a%20b%2F%C3%A9')
})

t.test('same canonical query exactly when Fastify parses the same values', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/q', async (request) => {
    const query = request.query as Record<string, string | string[]>
    const sorted: Record<string, string[]> = {}
    for (const name of Object.keys(query).sort()) sorted[name] = ([] as string[]).concat(query[name] as string)
    return sorted
  })
  const pieces = [
    'a',
    'b',
    '=',
    '&',
    '+',
    '%',
    '2B',
    '%20',
    '%FF',
    '%ff',
    '%E2%82%AC',
    '%E2%82',
    '%25',
    '%3D',
    '%26',
    '%zz',
    '%C3%A9',
    '%c3%a9',
    '~',
    '%7E',
  ]
  // mulberry32: a small deterministic generator, so a failure replays.
  let seed = 7
  const random = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) % n
  }
  const byCanonical = new Map<string, string>()
  let collisions = 0
  for (let i = 0; i < 1500; i++) {
    let raw = ''
    for (let j = random(8); j > 0; j--) raw += pieces[random(pieces.length)]
    const parsed = (await app.inject(`/q?${raw}`)).body
    const canonical = canonicalQuery(raw)
    const before = byCanonical.get(canonical)
    if (before === undefined) byCanonical.set(canonical, parsed)
    else if (before !== parsed) {
      collisions++
      t.fail(`${JSON.stringify(raw)}: canonical ${canonical} also stands for ${before}, Fastify parsed ${parsed}`)
    }
  }
  t.equal(collisions, 0)
  t.ok(byCanonical.size > 500, `a varied sample (${byCanonical.size} distinct canonical forms)`)
})

import { ClientAddressResolver, declareClientAddress, type Identity, setClientAddressResolver } from '@rampart/core'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import rampartRateLimit, { CLIENT_KEY_LENGTH, identityOrAddressKey, type RateLimitOptions } from '../src/index.js'
import { FakeClock } from './fixtures/clock.js'
import { RecordingStore } from './fixtures/recording-store.js'

async function build(options: RateLimitOptions = {}, setup?: (app: FastifyInstance) => void) {
  const app = Fastify()
  setup?.(app)
  const clock = options.store === undefined ? { now: new FakeClock().now } : {}
  await app.register(rampartRateLimit, { perMinute: 2, burst: 0, ...clock, ...options })
  app.get('/', async () => 'ok')
  return app
}

const status = async (app: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}) =>
  (await app.inject({ url: '/', remoteAddress, headers })).statusCode

t.test('X-Forwarded-For rotation from an untrusted peer does not change the key', async (t) => {
  // A naive limiter keys on the leftmost X-Forwarded-For entry: a fresh quota per forged address.
  const app = await build()
  const peer = '203.0.113.5'
  t.equal(await status(app, peer, { 'x-forwarded-for': '1.1.1.1' }), 200)
  t.equal(await status(app, peer, { 'x-forwarded-for': '2.2.2.2' }), 200)
  for (const forged of ['3.3.3.3', '4.4.4.4, 5.5.5.5', '::1', 'garbage']) {
    t.equal(
      await status(app, peer, { 'x-forwarded-for': forged, 'x-real-ip': forged, forwarded: `for=${forged}` }),
      429,
      forged,
    )
  }
  t.equal(await status(app, '203.0.113.6'), 200, 'another peer has its own quota')
})

t.test('behind a trusted proxy, each real client is counted on its own', async (t) => {
  const proxy = '10.0.0.1'
  const app = await build({}, (instance) => {
    setClientAddressResolver(instance, new ClientAddressResolver({ trustedProxies: ['10.0.0.0/8'] }))
    declareClientAddress(instance)
  })
  for (const client of ['198.51.100.1', '198.51.100.2']) {
    t.equal(await status(app, proxy, { 'x-forwarded-for': client }), 200)
    t.equal(await status(app, proxy, { 'x-forwarded-for': client }), 200)
    t.equal(await status(app, proxy, { 'x-forwarded-for': client }), 429, `${client} limited on its own`)
  }
  // The client cannot escape by prepending a forged hop: the proxy appends the real address.
  t.equal(await status(app, proxy, { 'x-forwarded-for': '6.6.6.6, 198.51.100.1' }), 429)
  t.equal(await status(app, proxy, { 'x-forwarded-for': '198.51.100.3' }), 200)
})

t.test('IPv6 clients are counted per /64; different /64s are different clients', async (t) => {
  const app = await build()
  t.equal(await status(app, '2001:db8:1:2::1'), 200)
  t.equal(await status(app, '2001:db8:1:2:ffff:ffff:ffff:fffe'), 200)
  t.equal(await status(app, '2001:db8:1:2:abcd::17'), 429, 'rotating inside the /64 shares one quota')
  t.equal(await status(app, '2001:db8:1:3::1'), 200, 'the next /64 is another client')
  const mapped = await build()
  t.equal(await status(mapped, '::ffff:198.51.100.7'), 200)
  t.equal(await status(mapped, '198.51.100.7'), 200)
  t.equal(await status(mapped, '::ffff:c633:6407'), 429, 'IPv4-mapped IPv6 is the IPv4 client')
})

t.test('ipv6PrefixLength widens or narrows the bucket', async (t) => {
  const wide = await build({ ipv6PrefixLength: 48 })
  t.equal(await status(wide, '2001:db8:1:2::1'), 200)
  t.equal(await status(wide, '2001:db8:1:ffff::1'), 200)
  t.equal(await status(wide, '2001:db8:1:1234::1'), 429, 'one /48')
  const exact = await build({ ipv6PrefixLength: 128 })
  t.equal(await status(exact, '2001:db8::1'), 200)
  t.equal(await status(exact, '2001:db8::1'), 200)
  t.equal(await status(exact, '2001:db8::2'), 200, 'every address on its own at /128')
})

t.test('shared store: the user id joins the key, and a 100 KB id makes a key as short as any other', async (t) => {
  const store = new RecordingStore(undefined, true)
  const huge = 'u'.repeat(100 * 1024)
  const app = await build({ store }, (instance) => {
    instance.decorateRequest('identity', null)
    instance.addHook('onRequest', async (request) => {
      const user = request.headers['x-user']
      if (typeof user === 'string') {
        const identity: Identity = { id: user === 'huge' ? huge : user, kind: 'user', scopes: [] }
        request.identity = identity
      }
    })
  })
  const peer = '203.0.113.9'
  t.equal(await status(app, peer, { 'x-user': 'huge' }), 200)
  t.equal(await status(app, peer, { 'x-user': 'huge' }), 200)
  t.equal(await status(app, peer, { 'x-user': 'huge' }), 429, 'the huge id is one stable key')
  t.equal(await status(app, peer, { 'x-user': 'alice' }), 200, 'another user on the same address')
  t.equal(await status(app, peer), 200, 'anonymous on the same address')
  t.ok(
    store.clients.every((client) => client.length === CLIENT_KEY_LENGTH),
    'every key has the same length',
  )
  t.equal(new Set(store.clients).size, 3)
  t.notOk(store.clients.some((client) => client.includes('u'.repeat(30)) || client.includes('203.0.113.9')))
})

t.test('shared store: a custom key function is hashed too; undefined leaves the request unlimited', async (t) => {
  const store = new RecordingStore(undefined, true)
  const app = await build({ store, key: (request) => request.headers['x-api-key'] as string | undefined })
  t.equal(await status(app, '203.0.113.1', { 'x-api-key': 'k'.repeat(5000) }), 200)
  t.equal(await status(app, '203.0.113.2', { 'x-api-key': 'k'.repeat(5000) }), 200)
  t.equal(
    await status(app, '203.0.113.3', { 'x-api-key': 'k'.repeat(5000) }),
    429,
    'keyed on the API key, not the address',
  )
  for (let i = 0; i < 5; i++) t.equal(await status(app, '203.0.113.1'), 200)
  t.same([...new Set(store.clients.map((client) => client.length))], [CLIENT_KEY_LENGTH])
})

t.test('identityOrAddressKey: the identity when set (one count from every address), else the address', async (t) => {
  const app = Fastify()
  app.decorateRequest('identity', null)
  app.addHook('onRequest', async (request) => {
    const user = request.headers['x-user']
    if (typeof user === 'string') request.identity = { id: user, kind: 'user', scopes: [] }
  })
  const key = identityOrAddressKey(64)
  app.get('/', async (request) => key(request))
  const keyOf = async (remoteAddress: string, user?: string) =>
    (await app.inject({ url: '/', remoteAddress, headers: user === undefined ? {} : { 'x-user': user } })).body
  t.equal(await keyOf('203.0.113.1', 'alice'), 'user:alice')
  t.equal(await keyOf('198.51.100.7', 'alice'), 'user:alice', 'same user, other address: same key')
  t.equal(await keyOf('203.0.113.1'), 'ip:203.0.113.1')
  t.equal(await keyOf('2001:db8:1:2:3:4:5:6'), await keyOf('2001:db8:1:2:ffff::1'), 'IPv6 by /64')
})

t.test('local store: short keys as they are, long ones hashed and marked, never confused', async (t) => {
  const store = new RecordingStore()
  const app = await build({ store, key: (request) => request.headers['x-key'] as string | undefined })
  const long = 'k'.repeat(5000)
  for (const key of ['ip:203.0.113.1', long, long, `#${'x'.repeat(10)}`])
    await status(app, '203.0.113.1', { 'x-key': key })
  const [short, hashedLong, hashedAgain, marked] = store.clients
  t.equal(short, 'ip:203.0.113.1', 'a short key is used as it is: no hash per request')
  t.equal(hashedLong?.length, CLIENT_KEY_LENGTH + 1, 'a long key is hashed: memory per client stays bounded')
  t.equal(hashedLong, hashedAgain, 'the same long key, the same count')
  t.equal(marked?.startsWith('#'), true)
  t.equal(marked?.length, CLIENT_KEY_LENGTH + 1, 'a key that looks hashed is hashed, so it cannot share a count')
})

t.test('shared store: remembered hashes are the hashes, for every client, past the memo size', async (t) => {
  const { hashClientKey } = await import('../src/index.js')
  const { sharedClientKey } = await import('../src/client-key.js')
  const wrong: string[] = []
  // Twice round 5,000 short clients (the memo holds 4,096, then starts over), and long ones.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5000; i++) {
      const client = `ip:10.0.${i >> 8}.${i & 255}`
      if (sharedClientKey(client) !== hashClientKey(client)) wrong.push(client)
    }
  }
  const long = `user:${'x'.repeat(100)}`
  t.equal(sharedClientKey(long), hashClientKey(long))
  t.equal(sharedClientKey(`${long}y`), hashClientKey(`${long}y`), 'a long key is hashed each time, not kept')
  t.same(wrong, [])
})

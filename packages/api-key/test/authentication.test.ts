import t from 'tap'
import { authenticatedChannel, failedChannel } from '../src/index.js'
import { alice, bob, build } from './fixtures/app.js'

t.test('a valid key sets request.identity with owner, scopes, tier and key id', async (t) => {
  const app = await build()
  const response = await app.inject({ url: '/api/data', headers: { 'x-api-key': alice.key } })
  t.equal(response.statusCode, 200)
  t.same(response.json().identity, {
    id: 'alice',
    kind: 'api-key',
    tier: 'pro',
    scopes: ['read', 'write'],
    claims: { keyId: 'key-alice' },
  })
  const plain = await app.inject({ url: '/api/data', headers: { 'X-Api-Key': bob.key } })
  t.same(plain.json().identity, { id: 'bob', kind: 'api-key', scopes: ['read'], claims: { keyId: 'key-bob' } })
})

t.test('an unknown key is 401 problem+json with an invalid_token challenge', async (t) => {
  const app = await build()
  const response = await app.inject({ url: '/api/data', headers: { 'x-api-key': `${alice.key}x` } })
  t.equal(response.statusCode, 401)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.equal(response.json().code, 'RAMPART_API_KEY_INVALID')
  t.equal(response.json().detail, 'unknown API key')
  t.equal(
    response.headers['www-authenticate'],
    'ApiKey realm="api", header="X-API-Key", error="invalid_token", error_description="unknown API key"',
  )
})

t.test('no key on a required path is 401 with the bare challenge', async (t) => {
  const app = await build()
  const response = await app.inject('/api/data')
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'RAMPART_API_KEY_MISSING')
  t.equal(response.headers['www-authenticate'], 'ApiKey realm="api", header="X-API-Key"')
})

t.test('public paths and routes with apiKey: false are not checked at all', async (t) => {
  const app = await build()
  t.equal((await app.inject('/health')).statusCode, 200)
  t.equal((await app.inject({ url: '/health', headers: { 'x-api-key': 'garbage' } })).statusCode, 200)
  const open = await app.inject({ url: '/api/open', headers: { 'x-api-key': alice.key } })
  t.equal(open.statusCode, 200)
  t.same(open.json().identity, null, 'not even a valid key is looked at')
})

t.test('optional routes: anonymous passes, a valid key sets the identity, an invalid key is 401', async (t) => {
  const app = await build()
  t.same((await app.inject('/api/optional')).json(), { identity: null })
  const valid = await app.inject({ url: '/api/optional', headers: { 'x-api-key': alice.key } })
  t.equal(valid.json().identity.id, 'alice')
  t.equal((await app.inject({ url: '/api/optional', headers: { 'x-api-key': 'rk_wrong-key' } })).statusCode, 401)
})

t.test('malformed, huge and duplicated keys are 401, never 500', async (t) => {
  const app = await build()
  const cases: Record<string, string | string[]>[] = [
    { 'x-api-key': '' },
    { 'x-api-key': 'x'.repeat(257) },
    { 'x-api-key': 'x'.repeat(8000) },
    { 'x-api-key': 'two words' },
    { 'x-api-key': `${alice.key}, ${bob.key}` },
    { 'x-api-key': [alice.key, bob.key] },
    { 'x-api-key': 'caf\u00e9-key-1234567890' },
    { 'x-api-key': '\u0000\u0001' },
  ]
  for (const headers of cases) {
    const response = await app.inject({ url: '/api/data', headers })
    t.equal(response.statusCode, 401, JSON.stringify(headers).slice(0, 60))
    t.equal(response.json().code, 'RAMPART_API_KEY_INVALID')
    t.match(response.headers['www-authenticate'], /error="invalid_request", error_description="/)
  }
})

t.test('an expired key is 401', async (t) => {
  let now = 1_000
  const { generateApiKey } = await import('../src/index.js')
  const expiring = generateApiKey()
  const app = await build({
    keys: [{ id: 'temp', owner: 'carol', hash: expiring.hash, expiresAt: 2_000 }],
    now: () => now,
  })
  const request = { url: '/api/data', headers: { 'x-api-key': expiring.key } }
  t.equal((await app.inject(request)).statusCode, 200)
  now = 2_000
  const response = await app.inject(request)
  t.equal(response.statusCode, 401)
  t.equal(response.json().detail, 'expired API key')
})

t.test('the header name, realm and events', async (t) => {
  const app = await build({ header: 'X-Service-Token', realm: 'billing' })
  const events: string[] = []
  const offOk = authenticatedChannel.subscribe((event) => events.push(`ok ${event.keyId} ${event.identity.id}`))
  const offFail = failedChannel.subscribe((event) => events.push(`failed ${event.reason} ${event.description}`))
  t.teardown(() => {
    offOk()
    offFail()
  })
  t.equal((await app.inject({ url: '/api/data', headers: { 'x-api-key': alice.key } })).statusCode, 401)
  const missing = await app.inject('/api/data')
  t.equal(missing.headers['www-authenticate'], 'ApiKey realm="billing", header="X-Service-Token"')
  t.equal((await app.inject({ url: '/api/data', headers: { 'x-service-token': alice.key } })).statusCode, 200)
  t.equal((await app.inject({ url: '/api/data', headers: { 'x-service-token': 'nope-nope' } })).statusCode, 401)
  t.same(events, [
    'failed missing an API key is required',
    'failed missing an API key is required',
    'ok key-alice alice',
    'failed invalid unknown API key',
  ])
})

t.test('a plaintext key in the options is hashed at register and never kept', async (t) => {
  const { resolveOptions } = await import('../src/index.js')
  const settings = resolveOptions({ keys: [{ id: 'k', owner: 'o', key: bob.key }] })
  t.notMatch(JSON.stringify([...settings.keys.entries()]), bob.key)
  t.ok(settings.keys.has((await import('../src/index.js')).hashApiKey(bob.key)))
})

import Fastify from 'fastify'
import t from 'tap'
import rampartApiKey, { createApiKeyStrategy, generateApiKey } from '../src/index.js'

const { hash } = generateApiKey()
const key = { id: 'k1', owner: 'alice', hash }

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{}, /option "keys" is empty and there is no `store` or `validate`/],
    [{ keys: [key], header: 'X API Key' }, /option "header" must match/],
    [{ keys: [key], header: 'Authorization' }, /option "header" must not be Authorization/],
    [{ keys: [key], query: true }, /option "query" must be a string/],
    [{ keys: [key], realm: 'a"b' }, /option "realm" must match/],
    [{ keys: [key], pepper: 'short' }, /option "pepper" must be at least 16 bytes/],
    [{ keys: [key], pepper: 42 }, /option "pepper" must be a string or a Uint8Array/],
    [{ keys: [key], cache: { ttl: 0 } }, /option "cache.ttl" must be >= 1/],
    [{ keys: [key], cache: { max: 1 } }, /option "cache.max" is not a known option/],
    [{ keys: [key], store: {} }, /option "store.find" must be a function/],
    [{ keys: [key], validate: 'yes' }, /option "validate" must be a function/],
    [{ keys: [key], maxKeyLength: 8 }, /option "maxKeyLength" must be >= 16/],
    [
      { keys: [{ id: 'k1', owner: 'alice' }] },
      /option "keys\[0\]" must have exactly one of `hash` \(preferred\) and `key`/,
    ],
    [{ keys: [{ ...key, key: 'x'.repeat(32) }] }, /option "keys\[0\]" must have exactly one of/],
    [{ keys: [{ id: 'k1', owner: 'alice', hash: 'abc' }] }, /option "keys\[0\].hash" must be 64 hex characters/],
    [{ keys: [{ id: 'k1', owner: 'alice', key: 'short' }] }, /option "keys\[0\].key" must be 16\.\./],
    [{ keys: [{ id: 'k1', owner: 'alice', key: 'has a space in it, really' }] }, /option "keys\[0\].key" must be/],
    [{ keys: [{ ...key, owner: '' }] }, /option "keys\[0\].owner" must be a non-empty string/],
    [{ keys: [{ ...key, id: 'with space' }] }, /option "keys\[0\].id" must be 1\.\.128 visible ASCII/],
    [{ keys: [{ ...key, scopes: 'read' }] }, /option "keys\[0\].scopes" must be an array/],
    [{ keys: [{ ...key, expiresAt: 'tomorrow' }] }, /option "keys\[0\].expiresAt" must be a time/],
    [{ keys: [{ ...key, role: 'admin' }] }, /option "keys\[0\].role" is not a known field/],
    [{ keys: [key, { ...key, id: 'k2' }] }, /option "keys\[1\]" has the same key as keys with id k1/],
    [{ keys: [key, { ...key, hash: generateApiKey().hash }] }, /option "keys\[1\].id" is the id of another key/],
    [{ keys: [key], requiredPaths: ['api'] }, /option "requiredPaths\[0\]" must start with "\/"/],
    [{ keys: [key], requiredPaths: ['/health/'] }, /option "requiredPaths\[0\]" is also in publicPaths/],
    [{ keys: [key], hook: 'onSend' }, /option "hook" must be one of/],
    [{ keys: [key], keyz: [] }, /option "keyz" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartApiKey, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_API_KEY_INVALID_OPTION', message }, String(message))
  }
})

t.test('createApiKeyStrategy validates the same options but knows no path options', async (t) => {
  const app = Fastify()
  t.throws(() => createApiKeyStrategy(app, { keys: [key], requiredPaths: ['/'] } as never), {
    code: 'RAMPART_API_KEY_INVALID_OPTION',
    message: /option "requiredPaths" is not a known option/,
  })
  t.throws(() => createApiKeyStrategy(app, { keys: [] }), { code: 'RAMPART_API_KEY_INVALID_OPTION' })
})

t.test('a hash given in upper case is accepted', async (t) => {
  const generated = generateApiKey()
  const app = Fastify()
  const strategy = createApiKeyStrategy(app, { keys: [{ id: 'k', owner: 'o', hash: generated.hash.toUpperCase() }] })
  const outcome = await strategy.authenticate({ headers: { 'x-api-key': generated.key } } as never)
  t.equal(outcome.status, 'authenticated')
})

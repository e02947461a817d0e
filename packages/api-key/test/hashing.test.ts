import { createHash, createHmac } from 'node:crypto'
import t from 'tap'
import { digestsEqual, generateApiKey, hashApiKey } from '../src/index.js'

t.test('generateApiKey returns a prefixed high-entropy key and its SHA-256 hash', async (t) => {
  const { key, hash } = generateApiKey()
  t.match(key, /^rk_[A-Za-z0-9_-]{43}$/)
  t.equal(hash, createHash('sha256').update(key).digest('hex'))
  t.equal(hashApiKey(key), hash)
  t.not(generateApiKey().key, key, 'random')
})

t.test('with a pepper the hash is HMAC-SHA-256', async (t) => {
  const pepper = 'a-server-side-secret-pepper'
  const { key, hash } = generateApiKey({ pepper, prefix: 'svc_', bytes: 16 })
  t.match(key, /^svc_[A-Za-z0-9_-]{22}$/)
  t.equal(hash, createHmac('sha256', pepper).update(key).digest('hex'))
  t.not(hash, hashApiKey(key), 'differs from the unpeppered hash')
})

t.test('generateApiKey refuses weak or odd settings', async (t) => {
  t.throws(() => generateApiKey({ bytes: 8 }), RangeError)
  t.throws(() => generateApiKey({ prefix: 'a b' }), TypeError)
})

t.test('digestsEqual compares in constant time and never throws on length mismatch', async (t) => {
  const a = Buffer.from(hashApiKey('one-key-of-sixteen'), 'hex')
  const b = Buffer.from(hashApiKey('another-key-sixteen'), 'hex')
  t.ok(digestsEqual(a, Buffer.from(a)))
  t.notOk(digestsEqual(a, b))
  t.notOk(digestsEqual(a, a.subarray(1)))
})

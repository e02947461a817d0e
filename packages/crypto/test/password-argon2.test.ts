import { type Algorithm, hash as libraryHash, verify as libraryVerify, parseOptions } from '@node-rs/argon2'
import t from 'tap'
import { PasswordHasher, type PasswordRehashedEvent, passwordRehashedChannel } from '../src/index.js'

const hasher = new PasswordHasher()
const PHC = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/

t.test('hash() makes an Argon2id PHC string at the OWASP parameters, with a fresh 16-byte salt', async (t) => {
  const first = await hasher.hash('correct horse battery staple')
  const second = await hasher.hash('correct horse battery staple')
  t.match(first, PHC)
  t.not(first.split('$')[4], second.split('$')[4], 'a new salt each time')
  t.same(parseOptions(first), {
    algorithm: 2,
    version: 1,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
    outputLen: 32,
    saltLen: 16,
  })
  t.same(await hasher.verify(first, 'correct horse battery staple'), { valid: true, needsRehash: false })
  t.same(await hasher.verify(first, 'correct horse battery stapl'), { valid: false, needsRehash: false })
  t.same(await hasher.verify(first, ''), { valid: false, needsRehash: false })
})

t.test("interoperates with @node-rs/argon2's own PHC encoder and verifier", async (t) => {
  const ours = await hasher.hash('pässwörd')
  t.equal(await libraryVerify(ours, 'pässwörd'), true)
  t.equal(await libraryVerify(ours, 'passwörd'), false)
  const theirs = await libraryHash('pässwörd', { memoryCost: 19456, timeCost: 2, parallelism: 1 })
  t.match(theirs, PHC)
  t.same(await hasher.verify(theirs, 'pässwörd'), { valid: true, needsRehash: false })
})

t.test('verifies the reference implementation test vector (P-H-C argon2 test.c), and wants it rehashed', async (t) => {
  // From the Argon2 reference implementation's tests: "password", salt "somesalt", m = 64 MiB, t = 2, p = 1.
  const vector = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'
  t.same(await hasher.verify(vector, 'password'), { valid: true, needsRehash: true })
  t.same(await hasher.verify(vector, 'Password'), { valid: false, needsRehash: false })
  const altered = vector.replace(/CTFh/, 'CTFi')
  t.same(await hasher.verify(altered, 'password'), { valid: false, needsRehash: false }, 'a changed digest')
})

t.test('parameter changes: needsRehash, verifyAndRehash returns a hash at the new parameters', async (t) => {
  const events: PasswordRehashedEvent[] = []
  const unsubscribe = passwordRehashedChannel.subscribe((event) => events.push(event))
  t.teardown(unsubscribe)
  const stored = await hasher.hash('s3cret')
  const stronger = new PasswordHasher({ argon2: { memoryCost: 12288, timeCost: 3 } })
  t.equal(stronger.needsRehash(stored), true)
  t.equal(hasher.needsRehash(stored), false)
  t.same(await stronger.verify(stored, 's3cret'), { valid: true, needsRehash: true })
  t.same(await stronger.verifyAndRehash(stored, 'wrong'), { valid: false, rehashed: null }, 'no rehash when invalid')
  t.same(events, [])
  const { valid, rehashed } = await stronger.verifyAndRehash(stored, 's3cret')
  t.equal(valid, true)
  t.match(rehashed, /^\$argon2id\$v=19\$m=12288,t=3,p=1\$/)
  t.same(await stronger.verifyAndRehash(rehashed, 's3cret'), { valid: true, rehashed: null })
  t.same(events, [{ from: 'argon2id', to: 'argon2id' }])
})

t.test('other Argon2 variants verify and are flagged for rehash', async (t) => {
  const argon2i = await libraryHash('pw', { algorithm: 1 as Algorithm, memoryCost: 19456, timeCost: 2 })
  t.match(argon2i, /^\$argon2i\$/)
  t.same(await hasher.verify(argon2i, 'pw'), { valid: true, needsRehash: true })
  const longSalt = await libraryHash('pw', { memoryCost: 19456, timeCost: 2, salt: Buffer.alloc(32, 7) })
  t.same(await hasher.verify(longSalt, 'pw'), { valid: true, needsRehash: true }, 'a 32-byte salt is not ours')
})

t.test('malformed or out-of-bounds Argon2 hashes are coded errors, and no huge work is started', async (t) => {
  const salt = 'c29tZXNhbHQ'
  const digest = 'CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'
  const cases = [
    `$argon2id$v=19$m=65536,t=2,p=1$${salt}`,
    `$argon2id$v=19$m=65536,t=2,p=1$${salt}$${digest}$`,
    `$argon2id$v=18$m=65536,t=2,p=1$${salt}$${digest}`,
    `$argon2id$v=19$t=2,m=65536,p=1$${salt}$${digest}`,
    `$argon2id$v=19$m=065536,t=2,p=1$${salt}$${digest}`,
    `$argon2id$v=19$m=65536,t=2$${salt}$${digest}`,
    `$argon2id$v=19$m=4194304,t=2,p=1$${salt}$${digest}`,
    `$argon2id$v=19$m=65536,t=1000,p=1$${salt}$${digest}`,
    `$argon2id$v=19$m=65536,t=2,p=0$${salt}$${digest}`,
    `$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$${digest}`,
    `$argon2id$v=19$m=65536,t=2,p=1$${salt}==$${digest}`,
    `$argon2id$v=19$m=65536,t=2,p=1$${salt}$${digest.slice(0, 20)}`,
    `$argon2id$v=19$m=65536,t=2,p=1$${salt}$${digest.replace('C', '-')}`,
    `$argon2x$v=19$m=65536,t=2,p=1$${salt}$${digest}`,
  ]
  for (const stored of cases) {
    await t.rejects(hasher.verify(stored, 'password'), { code: 'RAMPART_CRYPTO_UNSUPPORTED_HASH' }, stored)
  }
})

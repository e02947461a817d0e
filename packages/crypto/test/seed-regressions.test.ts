import * as nodeCrypto from 'node:crypto'
import t from 'tap'
import { Keyring, PasswordHasher } from '../src/index.js'
import { newSecret } from './fixtures/helpers.js'

// Seed 002, Part 7 (tests/test_security.py, TestDataEncryption), ported.
t.test('seed test_data_encryption: round trip, and the token is not the plaintext', async (t) => {
  const crypto = new Keyring({ keys: [{ id: 'k1', secret: newSecret() }], current: 'k1' })
  const original = 'sensitive_data_123'
  const encrypted = crypto.encrypt(original)
  t.equal(crypto.decryptText(encrypted), original)
  t.not(encrypted, original)
  t.notMatch(encrypted, original)
})

t.test('seed test_password_hashing: the right password verifies, a wrong one does not', async (t) => {
  const crypto = new PasswordHasher()
  const hashed = await crypto.hash('mypassword')
  t.equal((await crypto.verify(hashed, 'mypassword')).valid, true)
  t.equal((await crypto.verify(hashed, 'wrongpassword')).valid, false)
})

// Seed bug: `master_key.encode().ljust(32)[:32]` pads a short secret with spaces and cuts a long one.
t.test('secrets are neither padded nor truncated: bytes past the 32nd still matter', async (t) => {
  const base = 'k'.repeat(32)
  const a = new Keyring({ keys: [{ id: 'k1', secret: `${base}-a` }], current: 'k1' })
  const b = new Keyring({ keys: [{ id: 'k1', secret: `${base}-b` }], current: 'k1' })
  t.throws(() => b.decrypt(a.encrypt('x')), { code: 'RAMPART_CRYPTO_DECRYPT_FAILED' })
  t.throws(() => new Keyring({ keys: [{ id: 'k1', secret: 'short-secret' }], current: 'k1' }), {
    code: 'RAMPART_CRYPTO_INVALID_OPTION',
    message: /at least 32 bytes/,
  })
  const raw = Buffer.from(base)
  const asBytes = new Keyring({ keys: [{ id: 'k1', secret: raw }], current: 'k1' })
  const spaced = new Keyring({ keys: [{ id: 'k1', secret: `${base} ` }], current: 'k1' })
  t.throws(() => spaced.decrypt(asBytes.encrypt('x')), { code: 'RAMPART_CRYPTO_DECRYPT_FAILED' }, 'no space padding')
})

// Seed bug: with no master key, `Fernet.generate_key()` silently encrypts under a key lost at restart.
t.test('no silent random key: keys are required, and the same secret reads tokens after a "restart"', async (t) => {
  t.throws(() => new Keyring({} as never), { code: 'RAMPART_CRYPTO_INVALID_OPTION', message: /"keys"/ })
  const secret = newSecret()
  const token = new Keyring({ keys: [{ id: 'k1', secret }], current: 'k1' }).encrypt('persisted')
  t.equal(new Keyring({ keys: [{ id: 'k1', secret }], current: 'k1' }).decryptText(token), 'persisted')
})

// Seed bug: `key.decode() == hashed` compares the digest with ==, leaking its prefix through timing.
t.test('every scheme compares digests with crypto.timingSafeEqual', async (t) => {
  let comparisons = 0
  const { PasswordHasher: Spied } = await t.mockImport<typeof import('../src/passwords/password-hasher.js')>(
    '../src/passwords/password-hasher.js',
    {
      'node:crypto': {
        ...nodeCrypto,
        timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
          comparisons++
          return nodeCrypto.timingSafeEqual(a, b)
        },
      },
    },
  )
  const hasher = new Spied()
  const salt = nodeCrypto.randomBytes(32)
  const key = nodeCrypto.pbkdf2Sync('pw', salt, 100_000, 32, 'sha256')
  const encode = (bytes: Buffer) => bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_')
  const seed = { hash: encode(key), salt: encode(salt) }
  t.equal((await hasher.verify(seed, 'pw')).valid, true)
  t.equal((await hasher.verify(seed, 'px')).valid, false)
  t.equal((await hasher.verify(await hasher.hash('pw'), 'px')).valid, false)
  t.equal(comparisons, 3)
})

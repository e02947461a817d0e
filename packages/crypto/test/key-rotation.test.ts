import t from 'tap'
import { Keyring } from '../src/index.js'
import { newSecret } from './fixtures/helpers.js'

const old = { id: '2024', secret: newSecret() }
const next = { id: '2025', secret: newSecret() }

t.test(
  'rotation: the new ring decrypts old tokens, encrypts with the current key, re-encrypts on demand',
  async (t) => {
    const before = new Keyring({ keys: [old], current: '2024' })
    const stored = before.encrypt('JBSWY3DPEHPK3PXP', { aad: 'users:1:mfa' })
    t.match(stored, /^v1\.2024\./)

    // Step 1 of a rotation: add the new key, make it current, keep the old one to decrypt.
    const after = new Keyring({ keys: [next, old], current: '2025' })
    t.equal(after.currentKeyId, '2025')
    t.same(after.keyIds, ['2025', '2024'])
    t.equal(after.decryptText(stored, { aad: 'users:1:mfa' }), 'JBSWY3DPEHPK3PXP')
    t.equal(after.needsReencryption(stored), true)
    const fresh = after.encrypt('x')
    t.match(fresh, /^v1\.2025\./)
    t.equal(after.needsReencryption(fresh), false)

    // Step 2: re-encrypt every stored token; the result is under the current key, same plaintext.
    const rotated = after.reencrypt(stored, { aad: 'users:1:mfa' })
    t.match(rotated, /^v1\.2025\./)
    t.equal(after.needsReencryption(rotated), false)
    t.equal(after.decryptText(rotated, { aad: 'users:1:mfa' }), 'JBSWY3DPEHPK3PXP')
    t.throws(
      () => after.decrypt(rotated, { aad: 'users:2:mfa' }),
      { code: 'RAMPART_CRYPTO_DECRYPT_FAILED' },
      'aad kept',
    )
    t.equal(after.reencrypt(rotated, { aad: 'users:1:mfa' }), rotated, 'already current: returned unchanged')

    // Step 3: retire the old key; what was re-encrypted still decrypts, what was not is a coded error.
    const retired = new Keyring({ keys: [next], current: '2025' })
    t.equal(retired.decryptText(rotated, { aad: 'users:1:mfa' }), 'JBSWY3DPEHPK3PXP')
    t.throws(() => retired.decrypt(stored, { aad: 'users:1:mfa' }), {
      code: 'RAMPART_CRYPTO_UNKNOWN_KEY',
      message: /key "2024", which is not in the keyring \(2025\)/,
    })
    t.throws(() => retired.reencrypt(stored, { aad: 'users:1:mfa' }), { code: 'RAMPART_CRYPTO_UNKNOWN_KEY' })
  },
)

t.test('reencrypt authenticates first: a tampered or mis-bound token is not laundered under the new key', async (t) => {
  const ring = new Keyring({ keys: [next, old], current: '2025' })
  const stored = new Keyring({ keys: [old], current: '2024' }).encrypt('secret', { aad: 'a' })
  t.throws(() => ring.reencrypt(stored, { aad: 'b' }), { code: 'RAMPART_CRYPTO_DECRYPT_FAILED' })
  const current = ring.encrypt('secret', { aad: 'a' })
  t.throws(() => ring.reencrypt(current, { aad: 'b' }), { code: 'RAMPART_CRYPTO_DECRYPT_FAILED' }, 'even when current')
  t.throws(() => ring.needsReencryption('v1.2024.short'), { code: 'RAMPART_CRYPTO_MALFORMED_TOKEN' })
})

t.test('rolling back the current key still reads tokens made under the newer one', async (t) => {
  const forward = new Keyring({ keys: [next, old], current: '2025' })
  const back = new Keyring({ keys: [next, old], current: '2024' })
  const token = forward.encrypt('v')
  t.equal(back.decryptText(token), 'v')
  t.equal(back.needsReencryption(token), true)
  t.match(back.reencrypt(token), /^v1\.2024\./)
})

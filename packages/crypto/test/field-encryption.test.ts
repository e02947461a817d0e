import { createDecipheriv, hkdfSync } from 'node:crypto'
import { inspect } from 'node:util'
import t from 'tap'
import { Keyring } from '../src/index.js'
import { newSecret } from './fixtures/helpers.js'

const secret = newSecret()
const keyring = new Keyring({ keys: [{ id: '2025-01', secret }], current: '2025-01', purpose: 'users' })
const TOKEN = /^v1\.2025-01\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,}$/

t.test('round trip of text and bytes, with and without associated data', async (t) => {
  for (const text of ['', 'a', 'JBSWY3DPEHPK3PXP', 'pâté 🔐 日本', 'x'.repeat(100_000)]) {
    const token = keyring.encrypt(text)
    t.match(token, TOKEN)
    t.equal(keyring.decryptText(token), text)
    const bound = keyring.encrypt(text, { aad: 'users:42:mfa_secret' })
    t.equal(keyring.decryptText(bound, { aad: 'users:42:mfa_secret' }), text)
  }
  const bytes = Buffer.from([0, 255, 128, 1, 0xc3])
  const token = keyring.encrypt(new Uint8Array(bytes), { aad: new Uint8Array([1, 2, 3]) })
  t.same(keyring.decrypt(token, { aad: Buffer.from([1, 2, 3]) }), bytes)
  t.same(keyring.decrypt(token, { aad: '\u0001\u0002\u0003' }), bytes, 'string aad is its UTF-8 bytes')
  t.throws(() => keyring.decryptText(token, { aad: Buffer.from([1, 2, 3]) }), { code: 'RAMPART_CRYPTO_NOT_TEXT' })
})

t.test(
  'the token is the documented format: AES-256-GCM under HKDF-SHA-256(secret, label, rampart:field:<purpose>)',
  async (t) => {
    const token = keyring.encrypt('hello', { aad: 'row:7' })
    const [version, keyId, iv, body] = token.split('.') as [string, string, string, string]
    t.equal(version, 'v1')
    t.equal(keyId, '2025-01')
    const ivBytes = Buffer.from(iv, 'base64url')
    t.equal(ivBytes.length, 12, '96-bit IV')
    const sealed = Buffer.from(body, 'base64url')
    t.equal(sealed.length, 5 + 16, 'ciphertext then a 128-bit tag')
    // Decrypt independently of the Keyring, from the README's description alone.
    const key = Buffer.from(
      hkdfSync('sha256', Buffer.from(secret), 'rampart:crypto:field-key:v1', 'rampart:field:users', 32),
    )
    const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: 16 })
    decipher.setAAD(Buffer.from('v1.2025-01.row:7'))
    decipher.setAuthTag(sealed.subarray(-16))
    t.equal(Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]).toString(), 'hello')
  },
)

t.test('a fresh random IV per encryption: equal plaintexts give different tokens', async (t) => {
  const ivs = new Set<string>()
  const tokens = new Set<string>()
  for (let i = 0; i < 1000; i++) {
    const token = keyring.encrypt('same')
    tokens.add(token)
    ivs.add(token.split('.')[2] as string)
  }
  t.equal(tokens.size, 1000)
  t.equal(ivs.size, 1000)
})

t.test('purposes are isolated: a token for one purpose does not decrypt under another', async (t) => {
  const totp = keyring.forPurpose('mfa:totp')
  const token = totp.encrypt('secret')
  t.equal(totp.decryptText(token), 'secret')
  t.equal(
    new Keyring({ keys: [{ id: '2025-01', secret }], current: '2025-01', purpose: 'mfa:totp' }).decryptText(token),
    'secret',
  )
  t.throws(() => keyring.decrypt(token), { code: 'RAMPART_CRYPTO_DECRYPT_FAILED' })
  t.throws(() => totp.forPurpose('default').decrypt(token), { code: 'RAMPART_CRYPTO_DECRYPT_FAILED' })
})

t.test('wrong argument types are coded errors', async (t) => {
  t.throws(() => keyring.encrypt(42 as unknown as string), { code: 'RAMPART_CRYPTO_INVALID_ARGUMENT' })
  t.throws(() => keyring.encrypt(null as unknown as string), { code: 'RAMPART_CRYPTO_INVALID_ARGUMENT' })
  t.throws(() => keyring.encrypt('x', { aad: 7 as unknown as string }), { code: 'RAMPART_CRYPTO_INVALID_ARGUMENT' })
  const token = keyring.encrypt('x')
  t.throws(() => keyring.decrypt(token, { aad: {} as unknown as string }), { code: 'RAMPART_CRYPTO_INVALID_ARGUMENT' })
  for (const value of [undefined, null, 42, {}, Buffer.from(token)]) {
    t.throws(() => keyring.decrypt(value as unknown as string), { code: 'RAMPART_CRYPTO_MALFORMED_TOKEN' })
  }
})

t.test('the keyring never shows its secrets or keys', async (t) => {
  const shown = `${inspect(keyring, { depth: 10, showHidden: true })} ${JSON.stringify(keyring)}`
  t.notMatch(shown, secret)
  t.notMatch(shown, Buffer.from(secret).toString('hex'))
  t.same(keyring.keyIds, ['2025-01'])
})

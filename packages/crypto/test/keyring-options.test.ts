import t from 'tap'
import { DEFAULTS, Keyring, type KeyringOptions } from '../src/index.js'
import { newSecret } from './fixtures/helpers.js'

const secret = newSecret()

t.test('bad keyring options throw RAMPART_CRYPTO_INVALID_OPTION naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [undefined, /option "" must be an object/],
    [{ current: 'a' }, /option "keys" must be a non-empty array/],
    [{ keys: [], current: 'a' }, /option "keys" must be a non-empty array/],
    [{ keys: [{ id: 'a', secret }] }, /option "current" must be a string/],
    [{ keys: [{ id: 'a', secret }], current: 'b' }, /option "current" must be the id of one of the keys \(a\)/],
    [{ keys: [{ id: 'a.b', secret }], current: 'a.b' }, /option "keys\[0\]\.id" must match/],
    [{ keys: [{ id: 'x'.repeat(33), secret }], current: 'a' }, /option "keys\[0\]\.id" must match/],
    [{ keys: [{ id: '', secret }], current: 'a' }, /option "keys\[0\]\.id" must not be empty/],
    [
      {
        keys: [
          { id: 'a', secret },
          { id: 'a', secret: newSecret() },
        ],
        current: 'a',
      },
      /option "keys\[1\]\.id" repeats a key id/,
    ],
    [{ keys: [{ id: 'a' }], current: 'a' }, /option "keys\[0\]\.secret" must be a string or a Uint8Array/],
    [{ keys: [{ id: 'a', secret: 42 }], current: 'a' }, /option "keys\[0\]\.secret" must be a string or a Uint8Array/],
    [
      { keys: [{ id: 'a', secret: 'x'.repeat(31) }], current: 'a' },
      /"keys\[0\]\.secret" must be at least 32 bytes \(got 31\)/,
    ],
    [{ keys: [{ id: 'a', secret: new Uint8Array(16) }], current: 'a' }, /must be at least 32 bytes \(got 16\)/],
    [{ keys: [{ id: 'a', secret: 'x'.repeat(1025) }], current: 'a' }, /must be at most 1024 bytes/],
    [{ keys: [{ id: 'a', secret, kid: 'a' }], current: 'a' }, /option "keys\[0\]\.kid" is not a known option/],
    [{ keys: [{ id: 'a', secret }], current: 'a', purpose: 'Has Space' }, /option "purpose" must match/],
    [{ keys: [{ id: 'a', secret }], current: 'a', purpos: 'x' }, /option "purpos" is not a known option/],
  ]
  for (const [options, message] of cases) {
    t.throws(() => new Keyring(options as KeyringOptions), { code: 'RAMPART_CRYPTO_INVALID_OPTION', message })
  }
})

t.test('a short secret is refused without echoing it', async (t) => {
  const short = 'your-encryption-key-here'
  const error = t.throws(() => new Keyring({ keys: [{ id: 'a', secret: short }], current: 'a' })) as Error
  t.notMatch(error.message, short)
})

t.test('forPurpose validates the purpose', async (t) => {
  const keyring = new Keyring({ keys: [{ id: 'a', secret }], current: 'a' })
  t.equal(keyring.purpose, DEFAULTS.keyring.purpose)
  t.throws(() => keyring.forPurpose('UPPER'), { code: 'RAMPART_CRYPTO_INVALID_OPTION', message: /"purpose"/ })
  t.equal(keyring.forPurpose('mfa:totp').purpose, 'mfa:totp')
})

t.test('the options object and its secrets are copied: mutating them later changes nothing', async (t) => {
  const bytes = Buffer.from(newSecret())
  const options = { keys: [{ id: 'a', secret: bytes }], current: 'a' }
  const keyring = new Keyring(options)
  const token = keyring.encrypt('x')
  bytes.fill(0)
  options.current = 'b'
  t.equal(keyring.currentKeyId, 'a')
  t.equal(keyring.decryptText(token), 'x')
})

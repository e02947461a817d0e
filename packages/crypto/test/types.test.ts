import t from 'tap'
import {
  type FieldCryptoOptions,
  Keyring,
  type KeyringOptions,
  PasswordHasher,
  type PasswordHasherOptions,
  type PasswordRehash,
  type PasswordVerification,
  type SeedPbkdf2Hash,
  type StoredPasswordHash,
} from '../src/index.js'
import { newSecret } from './fixtures/helpers.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const goodKeyring: KeyringOptions = {
  keys: [
    { id: '2025', secret: 'x'.repeat(32) },
    { id: '2024', secret: new Uint8Array(32) },
  ],
  current: '2025',
  purpose: 'mfa:totp',
}
// @ts-expect-error current is required
const noCurrent: KeyringOptions = { keys: [{ id: 'a', secret: 'x'.repeat(32) }] }
// @ts-expect-error a secret is bytes or a string, not a number
const numericSecret: KeyringOptions = { keys: [{ id: 'a', secret: 42 }], current: 'a' }
const goodHasher: PasswordHasherOptions = {
  algorithm: 'scrypt',
  argon2: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
  scrypt: { cost: 2 ** 17, blockSize: 8, parallelization: 1 },
  normalization: 'none',
  maxPasswordBytes: 256,
}
// @ts-expect-error PBKDF2 is read for migration, never produced
const pbkdf2Hasher: PasswordHasherOptions = { algorithm: 'pbkdf2' }
const seed: SeedPbkdf2Hash = { hash: 'h', salt: 's' }
const storedForms: StoredPasswordHash[] = ['$argon2id$...', seed, null, undefined]
// @ts-expect-error a stored hash is not a Buffer
const bufferHash: StoredPasswordHash = Buffer.from('x')
const aadForms: FieldCryptoOptions[] = [{}, { aad: 'users:1:email' }, { aad: new Uint8Array(2) }]

t.test('the types describe what the classes return', async (t) => {
  const keyring = new Keyring({ keys: [{ id: 'a', secret: newSecret() }], current: 'a' })
  const token: string = keyring.encrypt('x', { aad: 'r' })
  const bytes: Buffer = keyring.decrypt(token, { aad: 'r' })
  const text: string = keyring.decryptText(token, { aad: 'r' })
  const stale: boolean = keyring.needsReencryption(token)
  t.same([bytes.toString(), text, stale], ['x', 'x', false])
  const hasher = new PasswordHasher()
  const stored: string = await hasher.hash('pw')
  const verification: PasswordVerification = await hasher.verify(stored, 'pw')
  const rehash: PasswordRehash = await hasher.verifyAndRehash(stored, 'pw')
  const rehashed: string | null = rehash.rehashed
  t.same([verification.valid, verification.needsRehash, rehashed], [true, false, null])
  t.ok(goodKeyring && noCurrent && numericSecret && goodHasher && pbkdf2Hasher && storedForms && bufferHash && aadForms)
})

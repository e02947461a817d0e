import t from 'tap'
import { PasswordHasher } from '../src/index.js'
import * as argon2 from '../src/passwords/argon2.js'

const hasher = new PasswordHasher()

t.test('an unknown user (no stored hash) costs a full Argon2id verification against a decoy, then fails', async (t) => {
  const made: string[] = []
  let derivations = 0
  const { PasswordHasher: Counted } = await t.mockImport<typeof import('../src/passwords/password-hasher.js')>(
    '../src/passwords/password-hasher.js',
    {
      // The key is the module's resolved file: tests run from sources under tsx.
      '../src/passwords/argon2.ts': {
        ...argon2,
        hashArgon2id: async (...args: Parameters<typeof argon2.hashArgon2id>) => {
          const stored = await argon2.hashArgon2id(...args)
          made.push(stored)
          return stored
        },
        parseArgon2: (stored: string) => {
          const parsed = argon2.parseArgon2(stored)
          if (parsed === null) return null
          const derive = (password: Buffer) => {
            derivations++
            return parsed.derive(password)
          }
          return { ...parsed, derive }
        },
      },
    },
  )
  const counted = new Counted()
  t.same(await counted.verify(null, 'anything'), { valid: false, needsRehash: false })
  t.same(await counted.verify(undefined, 'anything'), { valid: false, needsRehash: false })
  t.equal(made.length, 1, 'the decoy is made once')
  t.match(made[0], /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'at the real parameters')
  t.equal(derivations, 2, 'and each unknown-user verification derives against it')
  const stored = await counted.hash('pw')
  await counted.verify(stored, 'wrong')
  t.equal(derivations, 3, 'a wrong password for a known user: the same single derivation')
})

t.test('passwords are NFKC-normalised by default, so equivalent spellings match', async (t) => {
  const stored = await hasher.hash('ｐａｓｓｗｏｒｄ ﬁ') // fullwidth letters and the fi ligature
  t.same(await hasher.verify(stored, 'password fi'), { valid: true, needsRehash: false })
  const raw = new PasswordHasher({ normalization: 'none' })
  const rawStored = await raw.hash('ｐａｓｓｗｏｒｄ')
  t.same(await raw.verify(rawStored, 'password'), { valid: false, needsRehash: false })
  t.same(await raw.verify(rawStored, 'ｐａｓｓｗｏｒｄ'), { valid: true, needsRehash: false })
})

t.test('length bound: hash refuses, verify fails without hashing, past maxPasswordBytes (UTF-8 bytes)', async (t) => {
  const max = 'a'.repeat(1024)
  const stored = await hasher.hash(max)
  t.same(await hasher.verify(stored, max), { valid: true, needsRehash: false })
  await t.rejects(hasher.hash(`${max}a`), { code: 'RAMPART_CRYPTO_PASSWORD_TOO_LONG', statusCode: 400 })
  await t.rejects(
    hasher.hash('€'.repeat(342)),
    { code: 'RAMPART_CRYPTO_PASSWORD_TOO_LONG' },
    '342 characters, 1026 bytes',
  )
  t.same(await hasher.verify(stored, `${max}a`), { valid: false, needsRehash: false })
  t.same(await hasher.verify(stored, 'x'.repeat(10_000_000)), { valid: false, needsRehash: false })
  const small = new PasswordHasher({ maxPasswordBytes: 64 })
  await t.rejects(small.hash('b'.repeat(65)), { code: 'RAMPART_CRYPTO_PASSWORD_TOO_LONG', message: /64 bytes/ })
})

t.test('empty and non-string passwords', async (t) => {
  await t.rejects(hasher.hash(''), { code: 'RAMPART_CRYPTO_PASSWORD_EMPTY', statusCode: 400 })
  const stored = await hasher.hash('x')
  t.same(await hasher.verify(stored, ''), { valid: false, needsRehash: false })
  for (const value of [undefined, null, 42, Buffer.from('x'), ['x']]) {
    await t.rejects(hasher.hash(value as unknown as string), { code: 'RAMPART_CRYPTO_INVALID_ARGUMENT' })
    await t.rejects(hasher.verify(stored, value as unknown as string), { code: 'RAMPART_CRYPTO_INVALID_ARGUMENT' })
  }
})

t.test('hashes in no supported format are coded errors, not a silent false', async (t) => {
  for (const stored of [
    '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW',
    'plaintext-password',
    '5f4dcc3b5aa765d61d8327deb882cf99',
    '',
    '$argon2id',
  ]) {
    await t.rejects(hasher.verify(stored, 'password'), { code: 'RAMPART_CRYPTO_UNSUPPORTED_HASH' }, stored)
    t.throws(() => hasher.needsRehash(stored), { code: 'RAMPART_CRYPTO_UNSUPPORTED_HASH' })
  }
  await t.rejects(hasher.verify(42 as unknown as string, 'password'), { code: 'RAMPART_CRYPTO_UNSUPPORTED_HASH' })
})

t.test('verifications run concurrently off the event loop', async (t) => {
  const stored = await hasher.hash('parallel')
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const results = await Promise.all(['parallel', 'wrong', 'parallel', 'Parallel'].map((p) => hasher.verify(stored, p)))
  clearInterval(timer)
  t.same(
    results.map((r) => r.valid),
    [true, false, true, false],
  )
  t.ok(ticks > 0, 'timers fired while hashing')
})

import t from 'tap'
import { DEFAULTS, PasswordHasher, type PasswordHasherOptions } from '../src/index.js'

t.test('the defaults are OWASP Argon2id: m = 19 MiB, t = 2, p = 1; scrypt N = 2^17, r = 8, p = 1', async (t) => {
  const hasher = new PasswordHasher()
  t.same(hasher.options, DEFAULTS.passwords)
  t.same(hasher.options.argon2, { memoryCost: 19456, timeCost: 2, parallelism: 1 })
  t.same(hasher.options.scrypt, { cost: 131072, blockSize: 8, parallelization: 1 })
  t.equal(hasher.options.algorithm, 'argon2id')
  t.equal(hasher.options.normalization, 'NFKC')
  t.equal(hasher.options.maxPasswordBytes, 1024)
  t.ok(Object.isFrozen(hasher.options) && Object.isFrozen(hasher.options.argon2))
})

t.test("OWASP's other trade-offs are accepted", async (t) => {
  for (const argon2 of [
    { memoryCost: 47104, timeCost: 1 },
    { memoryCost: 12288, timeCost: 3 },
    { memoryCost: 9216, timeCost: 4 },
    { memoryCost: 7168, timeCost: 5 },
  ]) {
    t.same(new PasswordHasher({ argon2 }).options.argon2, { ...argon2, parallelism: 1 })
  }
  for (const scrypt of [
    { cost: 2 ** 16, parallelization: 2 },
    { cost: 2 ** 15, parallelization: 3 },
    { cost: 2 ** 14, parallelization: 5 },
    { cost: 2 ** 13, parallelization: 10 },
  ]) {
    t.same(new PasswordHasher({ algorithm: 'scrypt', scrypt }).options.scrypt, { ...scrypt, blockSize: 8 })
  }
})

t.test('bad or weak options throw RAMPART_CRYPTO_INVALID_OPTION naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [null, /option "" must be an object/],
    [{ algorithm: 'bcrypt' }, /option "algorithm" must be one of "argon2id", "scrypt"/],
    [{ algorithm: 'pbkdf2' }, /option "algorithm" must be one of/],
    [{ argon2: 5 }, /option "argon2" must be an object/],
    [{ argon2: { memory: 1 } }, /option "argon2.memory" is not a known option/],
    [{ argon2: { memoryCost: 4096 } }, /option "argon2.memoryCost" must be >= 7168/],
    [{ argon2: { memoryCost: 19456, timeCost: 1 } }, /option "argon2.memoryCost" x timeCost must be >= 35840/],
    [{ argon2: { memoryCost: 2 ** 21 } }, /option "argon2.memoryCost" must be <= 1048576/],
    [{ argon2: { timeCost: 0 } }, /option "argon2.timeCost" must be >= 1/],
    [{ argon2: { parallelism: 1.5 } }, /option "argon2.parallelism" must be an integer/],
    [{ scrypt: { cost: 2 ** 14 } }, /option "scrypt.cost" x parallelization must be >= 81920/],
    [{ scrypt: { cost: 100000 } }, /option "scrypt.cost" must be a power of two/],
    [{ scrypt: { cost: 2 ** 12 } }, /option "scrypt.cost" must be >= 8192/],
    [{ scrypt: { blockSize: 4 } }, /option "scrypt.blockSize" must be >= 8/],
    [{ scrypt: { cost: 2 ** 20, blockSize: 16 } }, /option "scrypt.blockSize" with cost 1048576 needs more than 1 GiB/],
    [{ scrypt: { N: 2 } }, /option "scrypt.N" is not a known option/],
    [{ normalization: 'NFC' }, /option "normalization" must be one of "NFKC", "none"/],
    [{ maxPasswordBytes: 10 }, /option "maxPasswordBytes" must be >= 64/],
    [{ maxPasswordBytes: 1e6 }, /option "maxPasswordBytes" must be <= 16384/],
    [{ pepper: 'x' }, /option "pepper" is not a known option/],
  ]
  for (const [options, message] of cases) {
    t.throws(() => new PasswordHasher(options as PasswordHasherOptions), {
      code: 'RAMPART_CRYPTO_INVALID_OPTION',
      message,
    })
  }
})

import { pbkdf2Sync, randomBytes } from 'node:crypto'
import t from 'tap'
import {
  PasswordHasher,
  type PasswordRehashedEvent,
  passwordRehashedChannel,
  type SeedPbkdf2Hash,
} from '../src/index.js'
import { pythonMissing, runPython } from './fixtures/helpers.js'

const hasher = new PasswordHasher()

/** Python's base64.urlsafe_b64encode: base64url alphabet, with padding. */
function urlsafeB64encode(bytes: Buffer): string {
  return bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_')
}

/** What the seed's DataEncryption.hash_password returns, computed with node's PBKDF2. */
function seedHash(password: string, salt = randomBytes(32)): SeedPbkdf2Hash {
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, 100_000, 32, 'sha256')
  return { hash: urlsafeB64encode(key), salt: urlsafeB64encode(salt) }
}

// The seed's own code (security/crypto.py, hash_password), run as is when `cryptography` is installed;
// hashlib's PBKDF2 (the same function) otherwise.
const SEED_SCRIPT = `
import base64, os, sys
password = sys.stdin.read()
try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    def derive(password, salt):
        kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=100000)
        return kdf.derive(password.encode())
except ImportError:
    import hashlib
    def derive(password, salt):
        return hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 100000, 32)
salt = os.urandom(32)
key = base64.urlsafe_b64encode(derive(password, salt))
salt_b64 = base64.urlsafe_b64encode(salt).decode()
print(key.decode() + ' ' + salt_b64)
`

async function pythonSeedHash(password: string): Promise<SeedPbkdf2Hash | null> {
  const output = await runPython(SEED_SCRIPT, password)
  if (output === null) return null
  const [hash, salt] = output.split(' ') as [string, string]
  return { hash, salt }
}

t.test("the seed's (hash, salt) pair verifies, and always needs a rehash", async (t) => {
  const stored = seedHash('mypassword')
  t.match(stored.hash, /^[A-Za-z0-9_-]{43}=$/)
  t.same(await hasher.verify(stored, 'mypassword'), { valid: true, needsRehash: true })
  t.same(await hasher.verify(stored, 'wrongpassword'), { valid: false, needsRehash: false })
  t.equal(hasher.needsRehash(stored), true)
  t.equal(new PasswordHasher({ algorithm: 'scrypt' }).needsRehash(stored), true)
})

t.test("a pair made by the seed's Python code verifies", { skip: await pythonMissing() }, async (t) => {
  const stored = (await pythonSeedHash('mypassword')) as SeedPbkdf2Hash
  t.match(stored.salt, /^[A-Za-z0-9_-]{43}=$/)
  t.same(await hasher.verify(stored, 'mypassword'), { valid: true, needsRehash: true })
  t.same(await hasher.verify(stored, 'mypassword '), { valid: false, needsRehash: false })
  const oneColumn = `$pbkdf2-sha256$i=100000$${stored.salt}$${stored.hash}`
  t.same(await hasher.verify(oneColumn, 'mypassword'), { valid: true, needsRehash: true }, 'one-column form')
})

t.test('the one-column form: $pbkdf2-sha256$i=<iterations>$<salt>$<hash>, padding optional', async (t) => {
  const salt = randomBytes(16)
  const key = pbkdf2Sync('pw', salt, 1000, 32, 'sha256')
  const stored = `$pbkdf2-sha256$i=1000$${urlsafeB64encode(salt)}$${urlsafeB64encode(key)}`
  t.same(await hasher.verify(stored, 'pw'), { valid: true, needsRehash: true })
  const unpadded = `$pbkdf2-sha256$i=1000$${salt.toString('base64url')}$${key.toString('base64url')}`
  t.same(await hasher.verify(unpadded, 'pw'), { valid: true, needsRehash: true })
  t.same(await hasher.verify(stored.replace('i=1000', 'i=1001'), 'pw'), { valid: false, needsRehash: false })
})

t.test('verifyAndRehash migrates a valid seed hash to Argon2id', async (t) => {
  const events: PasswordRehashedEvent[] = []
  const unsubscribe = passwordRehashedChannel.subscribe((event) => events.push(event))
  t.teardown(unsubscribe)
  const stored = seedHash('legacy password')
  t.same(await hasher.verifyAndRehash(stored, 'not it'), { valid: false, rehashed: null })
  const { valid, rehashed } = await hasher.verifyAndRehash(stored, 'legacy password')
  t.equal(valid, true)
  t.match(rehashed, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  t.same(await hasher.verify(rehashed, 'legacy password'), { valid: true, needsRehash: false })
  t.same(events, [{ from: 'pbkdf2-sha256', to: 'argon2id' }])
})

t.test('seed hashes are checked on raw UTF-8 (as the seed made them); new hashes on NFKC', async (t) => {
  const decomposed = 'cafe\u0301' // "café" typed with a combining accent
  const composed = 'caf\u00e9'
  const stored = (await pythonSeedHash(decomposed)) ?? seedHash(decomposed)
  t.same(await hasher.verify(stored, decomposed), { valid: true, needsRehash: true })
  t.same(await hasher.verify(stored, composed), { valid: false, needsRehash: false }, 'the seed never normalised')
  const { rehashed } = await hasher.verifyAndRehash(stored, decomposed)
  t.same(await hasher.verify(rehashed, composed), { valid: true, needsRehash: false }, 'NFKC from now on')
  t.same(await hasher.verify(rehashed, decomposed), { valid: true, needsRehash: false })
})

t.test('malformed seed hashes are coded errors', async (t) => {
  const good = seedHash('x')
  const cases: unknown[] = [
    { hash: good.hash },
    { hash: 42, salt: good.salt },
    { hash: good.hash, salt: 'not base64!' },
    { hash: good.hash, salt: '' },
    { hash: good.hash.slice(0, 20), salt: good.salt },
    { hash: `${good.hash}=`, salt: good.salt },
    { hash: good.hash.replace('=', '=A'), salt: good.salt },
    { hash: good.hash.replaceAll('-', '+').replaceAll('_', '/').replace(/^./, '+'), salt: good.salt },
    `$pbkdf2-sha256$i=0$${good.salt}$${good.hash}`,
    `$pbkdf2-sha256$i=5000000$${good.salt}$${good.hash}`,
    `$pbkdf2-sha256$100000$${good.salt}$${good.hash}`,
    `$pbkdf2-sha256$i=100000$${good.salt}`,
    `${good.salt}$${good.hash}`,
    good.hash,
    '',
    42,
  ]
  for (const stored of cases) {
    await t.rejects(
      hasher.verify(stored as SeedPbkdf2Hash, 'x'),
      { code: 'RAMPART_CRYPTO_UNSUPPORTED_HASH' },
      JSON.stringify(stored),
    )
  }
})

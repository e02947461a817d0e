import t from 'tap'
import { PasswordHasher } from '../src/index.js'
import { pythonMissing, runPython } from './fixtures/helpers.js'

const scrypt = new PasswordHasher({ algorithm: 'scrypt' })
const argon2 = new PasswordHasher()

t.test('scrypt hashes are $scrypt$ln=17,r=8,p=1$<salt>$<hash> and verify in both hashers', async (t) => {
  const stored = await scrypt.hash('hunter2 hunter2')
  t.match(stored, /^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
  t.same(await scrypt.verify(stored, 'hunter2 hunter2'), { valid: true, needsRehash: false })
  t.same(await scrypt.verify(stored, 'hunter2 hunter3'), { valid: false, needsRehash: false })
  t.same(await argon2.verify(stored, 'hunter2 hunter2'), { valid: true, needsRehash: true }, 'argon2id policy: migrate')
})

t.test('an Argon2id hash verified under the scrypt policy is flagged for rehash', async (t) => {
  const stored = await argon2.hash('pw')
  t.same(await scrypt.verify(stored, 'pw'), { valid: true, needsRehash: true })
})

t.test('verifies the RFC 7914 test vector (N = 1024, r = 8, p = 16, 64-byte output)', async (t) => {
  const digest = Buffer.from(
    'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162' +
      '2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
    'hex',
  )
  const stored = `$scrypt$ln=10,r=8,p=16$${Buffer.from('NaCl').toString('base64').replace(/=+$/, '')}$${digest.toString('base64').replace(/=+$/, '')}`
  t.same(await scrypt.verify(stored, 'password'), { valid: true, needsRehash: true })
  t.same(await scrypt.verify(stored, 'passwore'), { valid: false, needsRehash: false })
})

t.test(
  "verifies a hash made by Python's hashlib.scrypt (an independent implementation)",
  { skip: await pythonMissing() },
  async (t) => {
    const script = [
      'import base64, hashlib, os, sys',
      'password = sys.stdin.read()',
      'salt = os.urandom(16)',
      'digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32, maxmem=64*1024*1024)',
      'b64 = lambda b: base64.b64encode(b).decode().rstrip("=")',
      'print("$scrypt$ln=14,r=8,p=1$" + b64(salt) + "$" + b64(digest))',
    ].join('\n')
    const stored = (await runPython(script, 'ünïcödé pass')) as string
    t.match(stored, /^\$scrypt\$ln=14,r=8,p=1\$/)
    t.same(await argon2.verify(stored, 'ünïcödé pass'), { valid: true, needsRehash: true })
    t.same(await argon2.verify(stored, 'unicode pass'), { valid: false, needsRehash: false })
  },
)

t.test('malformed or out-of-bounds scrypt hashes are coded errors', async (t) => {
  const salt = 'AAAAAAAAAAAAAAAAAAAAAA'
  const digest = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
  for (const stored of [
    `$scrypt$ln=17,r=8$${salt}$${digest}`,
    `$scrypt$r=8,ln=17,p=1$${salt}$${digest}`,
    `$scrypt$ln=21,r=8,p=1$${salt}$${digest}`,
    `$scrypt$ln=20,r=8,p=1$${salt}$${digest}`,
    `$scrypt$ln=0,r=8,p=1$${salt}$${digest}`,
    `$scrypt$ln=14,r=8,p=99$${salt}$${digest}`,
    `$scrypt$ln=14,r=8,p=1$$${digest}`,
    `$scrypt$ln=14,r=8,p=1$${salt}$AAAA`,
    `$scrypt$ln=14,r=8,p=1$${salt}$${digest}$`,
    `$scrypt$ln=14,r=8,p=1$${salt}`,
    '$scrypt$',
  ]) {
    await t.rejects(argon2.verify(stored, 'pw'), { code: 'RAMPART_CRYPTO_UNSUPPORTED_HASH' }, stored)
  }
})

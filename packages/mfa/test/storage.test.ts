import { Keyring } from '@rampart/crypto'
import t from 'tap'
import {
  base32Decode,
  createMfa,
  isMfaRecord,
  KEYRING_PURPOSE,
  MemoryMfaStore,
  type MfaRecord,
  type MfaStore,
} from '../src/index.js'
import { Clock, enrolled, fixture, KEY_SECRET, oathtool, PEPPER, requireOathtool } from './fixtures/helpers.js'

requireOathtool()

/** Every spelling of the secret and the backup codes someone could find in a dump of the store. */
function spellings(secret: string, backupCodes: readonly string[]): string[] {
  const bytes = base32Decode(secret) as Buffer
  const codes = backupCodes.flatMap((code) => {
    const bare = code.replace(/-/g, '')
    return [code, code.toUpperCase(), bare, bare.toUpperCase()]
  })
  return [
    secret,
    secret.toLowerCase(),
    bytes.toString('hex'),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('latin1'),
    ...codes,
  ]
}

t.test('the stored record holds neither the secret nor the backup codes, in any spelling', async (t) => {
  const { mfa, clock, store } = fixture()
  const { secret, backupCodes } = await enrolled(mfa, clock)
  const record = store.get('user-1') as MfaRecord
  const dump = JSON.stringify(record)
  for (const spelling of spellings(secret, backupCodes))
    t.notOk(dump.includes(spelling), `no ${JSON.stringify(spelling)}`)
  t.match(record.secretCiphertext, /^v1\.k1\./, 'a @rampart/crypto field token')
  t.equal(record.backupCodes.length, 10)
  for (const hash of record.backupCodes) t.match(hash, /^v1\.[A-Za-z0-9_-]{43}$/, 'HMAC-SHA-256, base64url')
  t.same(Object.keys(record).sort(), [
    'algorithm',
    'backupCodes',
    'createdAt',
    'digits',
    'enabled',
    'failures',
    'lastStep',
    'lockedUntil',
    'period',
    'secretCiphertext',
    'userId',
    'version',
  ])
})

t.test('the ciphertext opens only with the keyring, purpose mfa:totp and the user id as associated data', async (t) => {
  const { mfa, clock, store, keyring } = fixture()
  const { secret } = await enrolled(mfa, clock)
  const token = (store.get('user-1') as MfaRecord).secretCiphertext
  const opened = keyring.forPurpose(KEYRING_PURPOSE).decrypt(token, { aad: 'user-1' })
  t.equal(opened.toString('hex'), (base32Decode(secret) as Buffer).toString('hex'))
  t.throws(() => keyring.forPurpose(KEYRING_PURPOSE).decrypt(token, { aad: 'user-2' }), {
    code: 'RAMPART_CRYPTO_DECRYPT_FAILED',
  })
  t.throws(() => keyring.decrypt(token, { aad: 'user-1' }), { code: 'RAMPART_CRYPTO_DECRYPT_FAILED' }, 'other purpose')
  const otherKey = new Keyring({
    keys: [{ id: 'k1', secret: 'another-master-secret-of-32-bytes-or-more' }],
    current: 'k1',
  })
  t.throws(() => otherKey.forPurpose(KEYRING_PURPOSE).decrypt(token, { aad: 'user-1' }), {
    code: 'RAMPART_CRYPTO_DECRYPT_FAILED',
  })
})

t.test("a secret copied into another user's record does not decrypt (no code of it is accepted)", async (t) => {
  const { mfa, clock, store } = fixture()
  const alice = await enrolled(mfa, clock, 'alice')
  await enrolled(mfa, clock, 'mallory')
  const mallory = store.get('mallory') as MfaRecord
  const stolen = (store.get('alice') as MfaRecord).secretCiphertext
  store.put({ ...mallory, secretCiphertext: stolen, version: mallory.version + 1 }, mallory.version)
  clock.advance(30_000)
  await t.rejects(mfa.verify('mallory', oathtool(alice.secret, clock.time)), { code: 'RAMPART_CRYPTO_DECRYPT_FAILED' })
})

t.test('after a key rotation, a successful code re-encrypts the secret under the current key', async (t) => {
  const clock = new Clock()
  const store = new MemoryMfaStore()
  const old = new Keyring({ keys: [{ id: 'old', secret: KEY_SECRET }], current: 'old' })
  const first = createMfa({ keyring: old, pepper: PEPPER, issuer: 'x', store, now: clock.now })
  const { secret } = await enrolled(first, clock)
  t.match(store.get('user-1')?.secretCiphertext, /^v1\.old\./)
  const rotated = new Keyring({
    keys: [
      { id: 'old', secret: KEY_SECRET },
      { id: 'new', secret: 'the-new-master-secret-of-32-bytes-or-more' },
    ],
    current: 'new',
  })
  const second = createMfa({ keyring: rotated, pepper: PEPPER, issuer: 'x', store, now: clock.now })
  clock.advance(30_000)
  t.ok((await second.verify('user-1', oathtool(secret, clock.time))).ok)
  t.match(store.get('user-1')?.secretCiphertext, /^v1\.new\./)
  clock.advance(30_000)
  t.ok((await second.verify('user-1', oathtool(secret, clock.time))).ok, 'and it still works')
})

t.test('setup again before confirm replaces the pending secret; after confirm it is refused', async (t) => {
  const { mfa, clock } = fixture()
  const first = await mfa.setup('user-1', 'someone')
  const second = await mfa.setup('user-1', 'someone')
  t.not(first.secret, second.secret)
  t.same((await mfa.confirm('user-1', oathtool(first.secret, clock.time))).ok, false, 'the first secret is gone')
  t.ok((await mfa.confirm('user-1', oathtool(second.secret, clock.time))).ok)
  await t.rejects(mfa.setup('user-1', 'someone'), { code: 'RAMPART_MFA_ALREADY_ENABLED', statusCode: 409 })
  t.ok(await mfa.disable('user-1'))
  t.notOk(await mfa.disable('user-1'), 'nothing left to disable')
  t.same(await mfa.verify('user-1', '123456'), { ok: false, method: 'totp', reason: 'not-enrolled' })
  t.ok(await mfa.setup('user-1', 'someone'), 'a new setup after disable')
})

t.test('the memory store: compare-and-set by version', async (t) => {
  const store = new MemoryMfaStore()
  const record: MfaRecord = {
    userId: 'u',
    secretCiphertext: 'v1.k1.x.y',
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    enabled: false,
    lastStep: -1,
    backupCodes: [],
    failures: 0,
    lockedUntil: 0,
    createdAt: 0,
    version: 1,
  }
  t.notOk(store.put(record, 1), 'no record yet: only expected null writes')
  t.ok(store.put(record, null))
  t.notOk(store.put({ ...record, version: 2 }, null), 'a record exists')
  t.notOk(store.put({ ...record, version: 2 }, 3), 'another version')
  t.ok(store.put({ ...record, version: 2 }, 1))
  t.equal(store.get('u')?.version, 2)
  t.ok(Object.isFrozen(store.get('u')) && Object.isFrozen(store.get('u')?.backupCodes), 'stored frozen')
  t.ok(store.delete('u'))
  t.equal(store.get('u'), null)
  t.ok(store.put(record, null))
  store.clear()
  t.equal(store.size, 0)
})

t.test('the memory store is bounded: it evicts the oldest pending enrolment, never an enabled one', async (t) => {
  const clock = new Clock()
  const store = new MemoryMfaStore({ maxRecords: 3 })
  const mfa = createMfa({ keyring: fixture().keyring, pepper: PEPPER, issuer: 'x', store, now: clock.now })
  await enrolled(mfa, clock, 'enabled-1')
  await mfa.setup('pending-1', 'a')
  await mfa.setup('pending-2', 'b')
  await mfa.setup('pending-3', 'c')
  t.equal(store.size, 3)
  t.equal(store.get('pending-1'), null, 'the oldest pending one went')
  t.ok(store.get('enabled-1') && store.get('pending-2') && store.get('pending-3'))
  await enrolled(mfa, clock, 'pending-2')
  await enrolled(mfa, clock, 'pending-3')
  await t.rejects(
    mfa.setup('one-too-many', 'd'),
    { code: 'RAMPART_MFA_STORE_FULL' },
    'all enabled: refuse, never evict',
  )
  t.equal(store.size, 3)
  t.ok(store.get('enabled-1'), 'MFA stays on for everyone')
  t.throws(() => new MemoryMfaStore({ maxRecords: 0 }), { code: 'RAMPART_MFA_INVALID_ARGUMENT' })
})

t.test('a store returning junk is an error, never "not enrolled"', async (t) => {
  const junk: unknown[] = [{ userId: 'other' }, 'a string', { ...({} as MfaRecord), userId: 'user-1' }]
  for (const value of junk) {
    const store: MfaStore = { get: () => value as MfaRecord, put: () => true, delete: () => true }
    const mfa = createMfa({ keyring: fixture().keyring, pepper: PEPPER, issuer: 'x', store })
    await t.rejects(mfa.verify('user-1', '123456'), { code: 'RAMPART_MFA_CORRUPT_RECORD' })
  }
  t.notOk(isMfaRecord(null, 'u'))
})

t.test('a store that keeps losing the compare-and-set gives up with RAMPART_MFA_CONFLICT', async (t) => {
  const { mfa, clock, store: inner } = fixture()
  await enrolled(mfa, clock)
  const store: MfaStore = { get: (id) => inner.get(id), put: () => false, delete: (id) => inner.delete(id) }
  const stuck = createMfa({ keyring: fixture().keyring, pepper: PEPPER, issuer: 'x', store })
  await t.rejects(stuck.verify('user-1', '123456'), { code: 'RAMPART_MFA_CONFLICT', statusCode: 503 })
  await t.rejects(stuck.setup('user-2', 'x'), { code: 'RAMPART_MFA_CONFLICT' })
})

t.test('an asynchronous store (promises) works the same', async (t) => {
  const inner = new MemoryMfaStore()
  const store: MfaStore = {
    get: async (id) => inner.get(id),
    put: async (record, expected) => inner.put(record, expected),
    delete: async (id) => inner.delete(id),
  }
  const clock = new Clock()
  const mfa = createMfa({ keyring: fixture().keyring, pepper: PEPPER, issuer: 'x', store, now: clock.now })
  const { secret, backupCodes } = await enrolled(mfa, clock)
  clock.advance(30_000)
  t.ok((await mfa.verify('user-1', oathtool(secret, clock.time))).ok)
  t.ok((await mfa.verify('user-1', backupCodes[0])).ok)
  t.same((await mfa.status('user-1'))?.backupCodes, 9)
})

import t from 'tap'
import { createMfa, MemoryMfaStore } from '../src/index.js'
import { Clock, enrolled, fixture, PEPPER, requireOathtool, slowStore, testKeyring } from './fixtures/helpers.js'

requireOathtool()

t.test('setup hands out 10 distinct codes of 12 Crockford symbols, grouped by four', async (t) => {
  const { mfa } = fixture()
  const { backupCodes } = await mfa.setup('user-1', 'someone')
  t.equal(backupCodes.length, 10)
  t.equal(new Set(backupCodes).size, 10)
  for (const code of backupCodes) t.match(code, /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/)
})

t.test('a backup code works once; a reused one is refused', async (t) => {
  const { mfa, clock } = fixture()
  const { backupCodes } = await enrolled(mfa, clock)
  const [first, second] = backupCodes as [string, string]
  t.same(await mfa.verify('user-1', first), { ok: true, method: 'backup', remainingBackupCodes: 9 })
  t.same(await mfa.verify('user-1', first), { ok: false, method: 'backup', reason: 'invalid' }, 'reused')
  t.same(
    await mfa.verify('user-1', second),
    { ok: true, method: 'backup', remainingBackupCodes: 8 },
    'the others still work',
  )
  t.same((await mfa.status('user-1'))?.backupCodes, 8)
})

t.test('every code of a set works, each once', async (t) => {
  const { mfa, clock } = fixture({ maxFailures: 100 })
  const { backupCodes } = await enrolled(mfa, clock)
  for (const [index, code] of backupCodes.entries()) {
    t.same(await mfa.verify('user-1', code), { ok: true, method: 'backup', remainingBackupCodes: 9 - index })
  }
  for (const code of backupCodes) t.equal((await mfa.verify('user-1', code)).ok, false)
})

t.test('the same backup code submitted concurrently: exactly one wins', async (t) => {
  for (const slow of [false, true]) {
    const clock = new Clock()
    const inner = new MemoryMfaStore()
    const store = slow ? slowStore(inner, 4) : inner
    const mfa = createMfa({
      keyring: testKeyring(),
      pepper: PEPPER,
      issuer: 'x',
      store,
      now: clock.now,
      maxFailures: 100,
    })
    const { backupCodes } = await enrolled(mfa, clock)
    const code = backupCodes[3] as string
    const results = await Promise.all(Array.from({ length: 8 }, () => mfa.verify('user-1', code)))
    t.equal(results.filter((result) => result.ok).length, 1, slow ? 'slow store' : 'memory store')
    t.equal(inner.get('user-1')?.backupCodes.length, 9, 'one code removed, no more')
  }
})

t.test('typing is forgiving: case, separators, spaces and Crockford look-alikes', async (t) => {
  const { mfa, clock } = fixture()
  const { backupCodes } = await enrolled(mfa, clock)
  const variants = [
    (code: string) => code.toUpperCase(),
    (code: string) => code.replace(/-/g, ''),
    (code: string) => code.replace(/-/g, ' '),
    (code: string) => code.replace(/0/g, 'o').replace(/1/g, 'l'),
    (code: string) => code.replace(/0/g, 'O').replace(/1/g, 'I'),
  ]
  for (const [index, variant] of variants.entries()) {
    const code = backupCodes[index] as string
    t.ok((await mfa.verify('user-1', variant(code))).ok, `${code} as ${variant(code)}`)
  }
})

t.test('a code of another user, or of another length, does nothing', async (t) => {
  const { mfa, clock } = fixture()
  const alice = await enrolled(mfa, clock, 'alice')
  await enrolled(mfa, clock, 'bob')
  t.same(await mfa.verify('bob', alice.backupCodes[0]), { ok: false, method: 'backup', reason: 'invalid' })
  const short = (alice.backupCodes[0] as string).slice(0, -1)
  t.same(await mfa.verify('alice', short), { ok: false, method: null, reason: 'malformed' })
  t.ok((await mfa.verify('alice', alice.backupCodes[0])).ok, 'still unused by alice')
})

t.test("a hash copied into another user's record matches nothing (the user id is hashed with the code)", async (t) => {
  const { mfa, clock, store } = fixture()
  const alice = await enrolled(mfa, clock, 'alice')
  await enrolled(mfa, clock, 'bob')
  const bob = store.get('bob')
  const aliceRecord = store.get('alice')
  if (bob === null || aliceRecord === null) throw new Error('records missing')
  t.ok(store.put({ ...bob, backupCodes: aliceRecord.backupCodes, version: bob.version + 1 }, bob.version))
  for (const code of alice.backupCodes) t.equal((await mfa.verify('bob', code)).ok, false)
})

t.test('regenerateBackupCodes replaces the whole set', async (t) => {
  const { mfa, clock } = fixture()
  const { backupCodes: old } = await enrolled(mfa, clock)
  const fresh = await mfa.regenerateBackupCodes('user-1')
  t.equal(fresh.length, 10)
  t.equal(fresh.filter((code) => old.includes(code)).length, 0)
  t.same((await mfa.verify('user-1', old[0])).ok, false, 'an old code is dead')
  t.same(await mfa.verify('user-1', fresh[0]), { ok: true, method: 'backup', remainingBackupCodes: 9 })
})

t.test('regenerateBackupCodes needs an enabled enrolment', async (t) => {
  const { mfa } = fixture()
  await t.rejects(mfa.regenerateBackupCodes('nobody'), { code: 'RAMPART_MFA_NOT_ENABLED', statusCode: 409 })
  await mfa.setup('pending', 'someone')
  await t.rejects(mfa.regenerateBackupCodes('pending'), { code: 'RAMPART_MFA_NOT_ENABLED' })
})

t.test('backup codes do not confirm an enrolment: only the authenticator app proves it works', async (t) => {
  const { mfa } = fixture()
  const { backupCodes } = await mfa.setup('user-1', 'someone')
  t.same(await mfa.confirm('user-1', backupCodes[0]), { ok: false, method: null, reason: 'malformed' })
  t.same(await mfa.verify('user-1', backupCodes[0]), { ok: false, method: 'backup', reason: 'not-enabled' })
})

t.test('count and length are options; 0 codes turns them off', async (t) => {
  const long = fixture({ backupCodeCount: 4, backupCodeLength: 16 })
  const { backupCodes } = await enrolled(long.mfa, long.clock)
  t.equal(backupCodes.length, 4)
  t.match(backupCodes[0], /^\w{4}-\w{4}-\w{4}-\w{4}$/)
  t.ok((await long.mfa.verify('user-1', backupCodes[0])).ok)

  const none = fixture({ backupCodeCount: 0 })
  const setup = await enrolled(none.mfa, none.clock)
  t.same(setup.backupCodes, [])
  t.same(await none.mfa.verify('user-1', 'abcd-efgh-jkmn'), { ok: false, method: null, reason: 'malformed' })
})

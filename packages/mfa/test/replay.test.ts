import t from 'tap'
import { createMfa, MemoryMfaStore, type MfaVerification } from '../src/index.js'
import {
  Clock,
  enrolled,
  fixture,
  oathtool,
  PEPPER,
  requireOathtool,
  slowStore,
  testKeyring,
} from './fixtures/helpers.js'

requireOathtool()

const accepted = (results: MfaVerification[]): number => results.filter((result) => result.ok).length

t.test('a code already used is refused, for the rest of its window', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await enrolled(mfa, clock)
  clock.advance(30_000)
  const code = oathtool(secret, clock.time)
  t.same(await mfa.verify('user-1', code), { ok: true, method: 'totp', remainingBackupCodes: 10 })
  t.same(await mfa.verify('user-1', code), { ok: false, method: 'totp', reason: 'replayed' }, 'same step')
  clock.advance(29_000)
  t.same(await mfa.verify('user-1', code), { ok: false, method: 'totp', reason: 'replayed' }, 'end of the step')
  clock.advance(30_000)
  t.same(
    await mfa.verify('user-1', code),
    { ok: false, method: 'totp', reason: 'replayed' },
    'still within +-1 a step later',
  )
  clock.advance(30_000)
  t.same(await mfa.verify('user-1', code), { ok: false, method: 'totp', reason: 'invalid' }, 'outside the window')
})

t.test('the code confirm accepted cannot be used again to verify', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await mfa.setup('user-1', 'someone')
  const code = oathtool(secret, clock.time)
  t.ok((await mfa.confirm('user-1', code)).ok)
  t.same(await mfa.verify('user-1', code), { ok: false, method: 'totp', reason: 'replayed' })
})

t.test('after a code of step n, codes of earlier steps are refused even inside the window', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await enrolled(mfa, clock)
  clock.advance(10 * 30_000)
  const ahead = oathtool(secret, clock.time + 30_000)
  const current = oathtool(secret, clock.time)
  const behind = oathtool(secret, clock.time - 30_000)
  t.ok((await mfa.verify('user-1', ahead)).ok, 'the +1 code (a phone clock ahead)')
  t.same(await mfa.verify('user-1', current), { ok: false, method: 'totp', reason: 'replayed' }, 'the current one')
  t.same(await mfa.verify('user-1', behind), { ok: false, method: 'totp', reason: 'replayed' }, 'the -1 one')
  clock.advance(60_000)
  t.ok((await mfa.verify('user-1', oathtool(secret, clock.time))).ok, 'a later step again')
})

t.test('the same code submitted concurrently: exactly one wins', async (t) => {
  // Replays count as failures: a high bound, so the rounds do not end in a lockout.
  const { mfa, clock } = fixture({ maxFailures: 100 })
  const { secret } = await enrolled(mfa, clock)
  for (let round = 1; round <= 5; round++) {
    clock.advance(30_000)
    const code = oathtool(secret, clock.time)
    const results = await Promise.all(Array.from({ length: 10 }, () => mfa.verify('user-1', code)))
    t.equal(accepted(results), 1, `round ${round}: one accepted`)
    t.equal(results.filter((result) => !result.ok && result.reason === 'replayed').length, 9, 'nine replays')
  }
})

t.test('concurrently over a store that answers late (reads and writes interleave): exactly one wins', async (t) => {
  const clock = new Clock()
  const inner = new MemoryMfaStore()
  const mfa = createMfa({
    keyring: testKeyring(),
    pepper: PEPPER,
    issuer: 'Rampart Test',
    store: slowStore(inner, 4),
    now: clock.now,
    maxFailures: 100,
  })
  const { secret } = await enrolled(mfa, clock)
  for (let round = 1; round <= 5; round++) {
    clock.advance(30_000)
    const code = oathtool(secret, clock.time)
    const results = await Promise.all(Array.from({ length: 8 }, () => mfa.verify('user-1', code)))
    t.equal(accepted(results), 1, `round ${round}`)
    t.equal(inner.get('user-1')?.lastStep, Math.floor(clock.time / 30_000), 'the accepted step is stored')
  }
})

t.test(
  'two different codes of the window submitted concurrently: one is accepted, and never an older step after a newer',
  async (t) => {
    const { mfa, clock } = fixture()
    const { secret } = await enrolled(mfa, clock)
    clock.advance(300_000)
    const current = oathtool(secret, clock.time)
    const ahead = oathtool(secret, clock.time + 30_000)
    const results = await Promise.all([mfa.verify('user-1', current), mfa.verify('user-1', ahead)])
    // In whichever order they are written, the +1 code always passes; the current one only if it went first.
    t.ok(results[1]?.ok, 'the later step is accepted')
    t.ok(accepted(results) >= 1)
  },
)

t.test('a confirm raced by itself enables once; the other is refused', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await mfa.setup('user-1', 'someone')
  const code = oathtool(secret, clock.time)
  const results = await Promise.all([
    mfa.confirm('user-1', code),
    mfa.confirm('user-1', code),
    mfa.confirm('user-1', code),
  ])
  t.equal(accepted(results), 1)
  for (const result of results) if (!result.ok) t.equal(result.reason, 'already-enabled')
})

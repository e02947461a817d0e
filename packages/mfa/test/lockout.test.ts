import t from 'tap'
import { createMfa, lockedChannel, MemoryMfaStore } from '../src/index.js'
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

function wrongCode(right: string): string {
  return String((Number(right) + 500_000) % 1_000_000).padStart(6, '0')
}

t.test('five failures in a row lock the user out; even the right code waits', async (t) => {
  const { mfa, clock } = fixture()
  const { secret, backupCodes } = await enrolled(mfa, clock)
  clock.advance(30_000)
  const right = oathtool(secret, clock.time)
  for (let index = 1; index <= 5; index++) {
    t.same(
      await mfa.verify('user-1', wrongCode(right)),
      { ok: false, method: 'totp', reason: 'invalid' },
      `failure ${index}`,
    )
  }
  t.same(await mfa.verify('user-1', right), { ok: false, method: 'totp', reason: 'locked', retryAfter: 60 })
  t.same(await mfa.verify('user-1', backupCodes[0]), { ok: false, method: 'backup', reason: 'locked', retryAfter: 60 })
  t.ok((await mfa.status('user-1'))?.lockedUntil)
  clock.advance(59_000)
  t.same(await mfa.verify('user-1', right), { ok: false, method: 'totp', reason: 'locked', retryAfter: 1 })
  clock.advance(1_000)
  t.ok((await mfa.verify('user-1', oathtool(secret, clock.time))).ok, 'after the lockout')
  t.same(await mfa.status('user-1').then((status) => [status?.failures, status?.lockedUntil]), [0, null], 'reset')
})

t.test('each further lockout doubles, up to maxLockout', async (t) => {
  const { mfa, clock } = fixture({ lockout: 60, maxLockout: 200, maxFailures: 2 })
  const { secret } = await enrolled(mfa, clock)
  const expected = [60, 120, 200, 200]
  for (const seconds of expected) {
    const wrong = wrongCode(oathtool(secret, clock.time))
    await mfa.verify('user-1', wrong)
    await mfa.verify('user-1', wrong)
    const locked = await mfa.verify('user-1', wrong)
    t.same(locked, { ok: false, method: 'totp', reason: 'locked', retryAfter: seconds })
    clock.advance(seconds * 1000)
  }
})

t.test('a success between failures starts the count again', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await enrolled(mfa, clock)
  for (let round = 0; round < 3; round++) {
    clock.advance(30_000)
    const right = oathtool(secret, clock.time)
    for (let index = 0; index < 4; index++) await mfa.verify('user-1', wrongCode(right))
    t.ok((await mfa.verify('user-1', right)).ok, `round ${round}`)
  }
})

t.test('concurrent guesses cannot get more than maxFailures checks past the lockout', async (t) => {
  for (const slow of [false, true]) {
    const clock = new Clock()
    const inner = new MemoryMfaStore()
    const mfa = createMfa({
      keyring: testKeyring(),
      pepper: PEPPER,
      issuer: 'x',
      store: slow ? slowStore(inner, 3) : inner,
      now: clock.now,
    })
    const { secret } = await enrolled(mfa, clock)
    const right = oathtool(secret, clock.time + 30_000)
    const guesses = Array.from({ length: 20 }, (_, index) =>
      String((Number(right) + 1 + index) % 1_000_000).padStart(6, '0'),
    )
    const results = await Promise.all(guesses.map((guess) => mfa.verify('user-1', guess)))
    const reasons = results.map((result) => (result.ok ? 'ok' : result.reason))
    t.equal(reasons.filter((reason) => reason === 'invalid').length, 5, `${slow ? 'slow' : 'memory'}: five checked`)
    t.equal(reasons.filter((reason) => reason === 'locked').length, 15, 'the rest locked')
    t.equal(inner.get('user-1')?.failures, 5)
  }
})

t.test('rampart:mfa:locked is published when a lockout starts', async (t) => {
  const { mfa, clock } = fixture({ maxFailures: 2 })
  const { secret } = await enrolled(mfa, clock)
  const events: unknown[] = []
  const unsubscribe = lockedChannel.subscribe((event) => events.push(event))
  t.teardown(unsubscribe)
  const wrong = wrongCode(oathtool(secret, clock.time))
  await mfa.verify('user-1', wrong)
  t.same(events, [])
  await mfa.verify('user-1', wrong)
  t.same(events, [{ userId: 'user-1', failures: 2, lockedUntil: clock.time + 60_000 }])
})

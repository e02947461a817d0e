import t from 'tap'
import { enrolled, fixture, oathtool, requireOathtool } from './fixtures/helpers.js'

requireOathtool()

// Seed 002, security/auth.py: `pyotp.TOTP(secret).verify(token)`, with no `valid_window` and no
// record of used codes. So (1) a code from a phone whose clock is a few seconds behind, typed as
// the step turns, was refused, and (2) a code seen over a shoulder or in a log could be used again
// and again for the rest of its 30 seconds. Both are pinned here.

t.test('seed bug: the code of the previous step (a slow clock, a slow typist) was refused', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await enrolled(mfa, clock)
  clock.advance(30_000 * 4 + 2_000) // two seconds into a new step
  t.ok((await mfa.verify('user-1', oathtool(secret, clock.time - 5_000))).ok, 'typed five seconds ago')
})

t.test('seed bug: a code could be replayed for the rest of its step', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await enrolled(mfa, clock)
  clock.advance(30_000)
  const code = oathtool(secret, clock.time)
  t.ok((await mfa.verify('user-1', code)).ok)
  for (let second = 1; second < 30; second += 7) {
    clock.advance(7_000)
    t.equal((await mfa.verify('user-1', code)).ok, false, `${second + 7} s later`)
  }
})

t.test('seed bug: unlimited guesses at a 6-digit code', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await enrolled(mfa, clock)
  const right = oathtool(secret, clock.time + 30_000)
  let checked = 0
  for (let guess = 0; guess < 50; guess++) {
    const code = String((Number(right) + 1 + guess) % 1_000_000).padStart(6, '0')
    const result = await mfa.verify('user-1', code)
    if (!result.ok && result.reason === 'invalid') checked++
  }
  t.equal(checked, 5, 'five guesses, then a lockout')
})

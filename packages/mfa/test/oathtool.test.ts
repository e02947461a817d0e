import t from 'tap'
import { base32Decode, totp } from '../src/index.js'
import { fixture, oathtool, requireOathtool, START } from './fixtures/helpers.js'

// Debian's oathtool (OATH Toolkit) is the independent implementation: every code these tests
// submit is computed by it from the secret `setup` handed out, never by our own TOTP code.
requireOathtool()

t.test('oathtool agrees with the RFC 6238 appendix B values (the harness itself is sound)', async (t) => {
  // '12345678901234567890' in base32.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
  t.equal(oathtool(secret, 59_000, { digits: 8 }), '94287082')
  t.equal(oathtool(secret, 1111111109_000, { digits: 8 }), '07081804')
  t.equal(oathtool(secret, 2000000000_000, { digits: 8 }), '69279037')
})

t.test('codes from oathtool confirm and verify an enrolment made by setup', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await mfa.setup('alice', 'alice@example.com')
  t.match(secret, /^[A-Z2-7]{32}$/, '160-bit secret, base32')
  t.same(await mfa.confirm('alice', oathtool(secret, clock.time)), {
    ok: true,
    method: 'totp',
    remainingBackupCodes: 10,
  })
  for (let minute = 1; minute <= 5; minute++) {
    clock.set(START + minute * 60_000 + 7_000)
    const code = oathtool(secret, clock.time)
    t.same(await mfa.verify('alice', code), { ok: true, method: 'totp', remainingBackupCodes: 10 }, `minute ${minute}`)
  }
})

t.test('our TOTP equals oathtool for random secrets and times', async (t) => {
  const { mfa } = fixture()
  for (let index = 0; index < 5; index++) {
    const { secret } = await mfa.setup(`user-${index}`, 'someone')
    const time = START + Math.floor(Math.random() * 1e12)
    t.equal(totp(base32Decode(secret) as Buffer, time), oathtool(secret, time), `secret ${index}`)
  }
})

t.test('one step either side is accepted (clock drift); two steps are refused', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await mfa.setup('bob', 'bob')
  t.ok((await mfa.confirm('bob', oathtool(secret, START - 30_000))).ok, 'previous step confirms')
  clock.set(START + 10 * 30_000)
  t.same(
    await mfa.verify('bob', oathtool(secret, clock.time - 60_000)),
    { ok: false, method: 'totp', reason: 'invalid' },
    '-2',
  )
  t.same(
    await mfa.verify('bob', oathtool(secret, clock.time + 60_000)),
    { ok: false, method: 'totp', reason: 'invalid' },
    '+2',
  )
  t.same(
    await mfa.verify('bob', oathtool(secret, clock.time + 90_000)),
    { ok: false, method: 'totp', reason: 'invalid' },
    '+3',
  )
  t.ok((await mfa.verify('bob', oathtool(secret, clock.time - 30_000))).ok, '-1 accepted')
  t.ok((await mfa.verify('bob', oathtool(secret, clock.time))).ok, '0 accepted')
  t.ok((await mfa.verify('bob', oathtool(secret, clock.time + 30_000))).ok, '+1 accepted')
})

t.test('window 0 accepts the current step only', async (t) => {
  const { mfa, clock } = fixture({ window: 0 })
  const { secret } = await mfa.setup('carol', 'carol')
  t.same((await mfa.confirm('carol', oathtool(secret, clock.time - 30_000))).ok, false)
  t.same((await mfa.confirm('carol', oathtool(secret, clock.time))).ok, true)
})

t.test('SHA-256 and SHA-512, 8 digits, 60-second steps: parameters in the URI and the codes agree', async (t) => {
  for (const algorithm of ['SHA256', 'SHA512'] as const) {
    const { mfa, clock } = fixture({ algorithm, digits: 8, period: 60 })
    const { secret, otpauthUrl } = await mfa.setup('dave', 'dave')
    const uri = new URL(otpauthUrl)
    t.equal(uri.searchParams.get('algorithm'), algorithm)
    t.equal(uri.searchParams.get('digits'), '8')
    t.equal(uri.searchParams.get('period'), '60')
    const options = { algorithm: algorithm.toLowerCase(), digits: 8, period: 60 }
    t.ok((await mfa.confirm('dave', oathtool(secret, clock.time, options))).ok, `${algorithm} confirm`)
    clock.advance(60_000)
    t.same((await mfa.verify('dave', oathtool(secret, clock.time, options))).ok, true, `${algorithm} next minute`)
    t.same(
      await mfa.verify('dave', oathtool(secret, clock.time, { ...options, digits: 6 })),
      { ok: false, method: 'totp', reason: 'malformed' },
      'a 6-digit code for an 8-digit enrolment',
    )
  }
})

t.test('an enrolment keeps its parameters when the options change later', async (t) => {
  const first = fixture({ digits: 8, period: 60 })
  const { secret } = await first.mfa.setup('erin', 'erin')
  t.ok((await first.mfa.confirm('erin', oathtool(secret, START, { digits: 8, period: 60 }))).ok)
  // The same store under new defaults: the authenticator app still shows 8 digits every 60 s.
  const { createMfa } = await import('../src/index.js')
  const second = createMfa({
    keyring: first.keyring,
    pepper: 'pepper-pepper-pepper-pepper-pepper!',
    issuer: 'Rampart Test',
    store: first.store,
    now: () => START + 120_000,
  })
  t.ok((await second.verify('erin', oathtool(secret, START + 120_000, { digits: 8, period: 60 }))).ok)
})

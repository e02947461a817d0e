import t from 'tap'
import { enrolled, fixture, oathtool, requireOathtool } from './fixtures/helpers.js'

requireOathtool()

const MALFORMED: [string, unknown][] = [
  ['empty', ''],
  ['five digits', '12345'],
  ['nine digits', '123456789'],
  ['letters', 'abcdef'],
  ['a letter among digits', '12345a'],
  ['a sign', '-12345'],
  ['a decimal point', '1234.5'],
  ['an exponent', '1e5000'],
  ['Arabic-Indic digits', '\u0661\u0662\u0663\u0664\u0665\u0666'],
  ['full-width digits', '\uff11\uff12\uff13\uff14\uff15\uff16'],
  ['a NUL byte', '123456\u0000'],
  ['a newline', '123456\n'],
  ['a tab', '123\t456'],
  ['a very long string', '1'.repeat(100_000)],
  ['SQL', "' OR 1=1 --"],
  ['a number', 123456],
  ['null', null],
  ['undefined', undefined],
  ['an array', ['123456']],
  ['an object', { token: '123456' }],
  ['a boolean', true],
  ['a bigint', 123456n],
  ['an emoji', '\u{1F600}\u{1F600}\u{1F600}'],
]

t.test('malformed input is refused without an exception, and without counting as a failure', async (t) => {
  const { mfa, clock } = fixture({ maxFailures: 1 })
  const { secret } = await enrolled(mfa, clock)
  for (const [name, input] of MALFORMED) {
    t.same(await mfa.verify('user-1', input), { ok: false, method: null, reason: 'malformed' }, `verify: ${name}`)
  }
  t.equal((await mfa.status('user-1'))?.failures, 0, 'nothing counted')
  clock.advance(30_000)
  t.ok((await mfa.verify('user-1', oathtool(secret, clock.time))).ok, 'not locked out (maxFailures is 1)')
})

t.test('confirm refuses malformed input the same way', async (t) => {
  const { mfa } = fixture()
  await mfa.setup('user-1', 'someone')
  for (const [name, input] of MALFORMED) {
    t.same(await mfa.confirm('user-1', input), { ok: false, method: null, reason: 'malformed' }, `confirm: ${name}`)
  }
})

t.test('a code with spaces (as apps show it) and a 7-digit code for a 6-digit enrolment', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await enrolled(mfa, clock)
  clock.advance(30_000)
  const code = oathtool(secret, clock.time)
  t.same(await mfa.verify('user-1', `${code}0`), { ok: false, method: 'totp', reason: 'malformed' })
  t.ok((await mfa.verify('user-1', `${code.slice(0, 3)} ${code.slice(3)}`)).ok, '"123 456" is accepted')
})

t.test('a wrong code of the right shape is "invalid"', async (t) => {
  const { mfa, clock } = fixture()
  const { secret } = await enrolled(mfa, clock)
  const right = oathtool(secret, clock.time + 30_000)
  const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0')
  t.same(await mfa.verify('user-1', wrong), { ok: false, method: 'totp', reason: 'invalid' })
})

t.test('users without MFA, or not confirmed yet', async (t) => {
  const { mfa, clock } = fixture()
  t.same(await mfa.verify('nobody', '123456'), { ok: false, method: 'totp', reason: 'not-enrolled' })
  t.same(await mfa.confirm('nobody', '123456'), { ok: false, method: 'totp', reason: 'not-enrolled' })
  const { secret } = await mfa.setup('pending', 'someone')
  t.same(await mfa.verify('pending', oathtool(secret, clock.time)), {
    ok: false,
    method: 'totp',
    reason: 'not-enabled',
  })
  t.same(await mfa.status('nobody'), null)
})

t.test('programming errors (a bad user id or account) throw a coded error', async (t) => {
  const { mfa } = fixture()
  for (const userId of ['', 'a\nb', 'x'.repeat(257), 42, null]) {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
    await t.rejects(mfa.verify(userId as any, '123456'), { code: 'RAMPART_MFA_INVALID_ARGUMENT' }, String(userId))
  }
  for (const account of ['', '   ', 'a:b', 'a\u0000b', 'x'.repeat(257), 7]) {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
    await t.rejects(mfa.setup('user-1', account as any), { code: 'RAMPART_MFA_INVALID_ARGUMENT' }, String(account))
  }
})

import Fastify from 'fastify'
import t from 'tap'
import rampartMfa, { createMfa, DEFAULTS, type MfaPluginOptions } from '../src/index.js'
import { PEPPER, testKeyring } from './fixtures/helpers.js'

const base = (): MfaPluginOptions => ({ keyring: testKeyring(), pepper: PEPPER, issuer: 'Acme' })

const CASES: [Record<string, unknown>, RegExp][] = [
  [{ keyring: undefined }, /option "keyring" is required/],
  [{ keyring: { encrypt() {} } }, /option "keyring" must be a @rampart\/crypto Keyring/],
  [{ pepper: undefined }, /option "pepper" is required/],
  [{ pepper: 'short' }, /option "pepper" must be at least 32 bytes \(got 5\)/],
  [{ pepper: 42 }, /option "pepper" is required: a string or a Uint8Array/],
  [{ issuer: undefined }, /option "issuer" is required/],
  [{ issuer: 'Acme:Corp' }, /option "issuer" must match/],
  [{ issuer: ' Acme' }, /option "issuer" must match/],
  [{ issuer: 'Ac\nme' }, /option "issuer" must match/],
  [{ issuer: '' }, /option "issuer" must not be empty/],
  [{ window: 6 }, /option "window" must be <= 5/],
  [{ window: -1 }, /option "window" must be >= 0/],
  [{ window: 1.5 }, /option "window" must be an integer/],
  [{ digits: 5 }, /option "digits" must be >= 6/],
  [{ digits: 9 }, /option "digits" must be <= 8/],
  [{ period: 10 }, /option "period" must be >= 15/],
  [{ algorithm: 'MD5' }, /option "algorithm" must be one of "SHA1", "SHA256", "SHA512"/],
  [{ algorithm: 'sha1' }, /option "algorithm" must be one of/],
  [{ secretBytes: 10 }, /option "secretBytes" must be >= 16/],
  [{ backupCodeCount: 51 }, /option "backupCodeCount" must be <= 50/],
  [{ backupCodeLength: 8 }, /option "backupCodeLength" must be >= 10/],
  [{ maxFailures: 0 }, /option "maxFailures" must be >= 1/],
  [{ lockout: 0 }, /option "lockout" must be >= 1/],
  [{ lockout: 120, maxLockout: 60 }, /option "maxLockout" must be >= 120/],
  [{ now: 'yesterday' }, /option "now" must be a function/],
  [{ store: { get() {} } }, /option "store.put" must be a function/],
  [
    { store: { get() {}, put() {}, delete() {} }, maxRecords: 5 },
    /option "maxRecords" bounds the default memory store/,
  ],
  [{ maxRecords: 0 }, /option "maxRecords" must be >= 1/],
  [{ qrCode: { width: 10 } }, /option "qrCode.width" must be >= 64/],
  [{ qrCode: { errorCorrectionLevel: 'X' } }, /option "qrCode.errorCorrectionLevel" must be one of/],
  [{ qrCode: { colour: 'red' } }, /option "qrCode.colour" is not a known option/],
  [{ hook: 'onSend' }, /option "hook" must be one of/],
  [{ amrValues: [] }, /option "amrValues" must name at least one/],
  [{ amrValues: ['o t p'] }, /option "amrValues\[0\]" must match/],
  [{ challenge: 'Bearer\r\nX: y' }, /option "challenge" must match/],
  [{ windw: 1 }, /option "windw" is not a known option/],
]

t.test('bad options fail register with a coded error naming the option', async (t) => {
  for (const [change, message] of CASES) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartMfa, { ...base(), ...change } as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_MFA_INVALID_OPTION', message }, JSON.stringify(change))
  }
})

t.test('createMfa validates the same options, and refuses the plugin-only ones', async (t) => {
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
  t.throws(() => createMfa({ ...base(), window: 9 } as any), {
    code: 'RAMPART_MFA_INVALID_OPTION',
    message: /"window"/,
  })
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
  t.throws(() => createMfa({ ...base(), hook: 'preHandler' } as any), { message: /"hook" is not a known option/ })
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
  t.throws(() => createMfa(null as any), { code: 'RAMPART_MFA_INVALID_OPTION' })
  t.ok(createMfa(base()))
})

t.test('the pepper is never echoed in an error', async (t) => {
  const secret = 'topsecret'
  try {
    createMfa({ ...base(), pepper: secret })
    t.fail('should have thrown')
  } catch (error) {
    t.match(error, { code: 'RAMPART_MFA_INVALID_OPTION', message: /"pepper"/ })
    t.notMatch((error as Error).message, secret)
  }
})

t.test('defaults: SHA-1, 6 digits, 30 s, one step of drift, 160-bit secrets, 10 backup codes', async (t) => {
  t.match(DEFAULTS, {
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    window: 1,
    secretBytes: 20,
    backupCodeCount: 10,
    backupCodeLength: 12,
    maxFailures: 5,
    lockout: 60,
    hook: 'preHandler',
    amrValues: ['otp', 'mfa'],
    challenge: 'Bearer',
  })
  t.ok(Object.isFrozen(DEFAULTS))
})

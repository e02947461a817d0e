import Fastify from 'fastify'
import t from 'tap'
import rampartMfa, {
  createMfa,
  type FailedEvent,
  type Mfa,
  type MfaFailureReason,
  type MfaPluginOptions,
  type MfaRecord,
  type MfaRouteConfig,
  type MfaSetup,
  type MfaStore,
  type MfaVerification,
} from '../src/index.js'
import { PEPPER, testKeyring } from './fixtures/helpers.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const good: MfaPluginOptions = {
  keyring: testKeyring(),
  pepper: PEPPER,
  issuer: 'Acme',
  now: Date.now,
  window: 1,
  algorithm: 'SHA256',
  digits: 8,
  period: 30,
  backupCodeCount: 10,
  qrCode: { errorCorrectionLevel: 'H', margin: 2, width: 512 },
  hook: 'preHandler',
  amrValues: ['otp'],
  challenge: false,
}
// @ts-expect-error the algorithm is SHA1, SHA256 or SHA512
const badAlgorithm: MfaPluginOptions = { ...good, algorithm: 'MD5' }
// @ts-expect-error keyring, pepper and issuer are required
const missing: MfaPluginOptions = { issuer: 'Acme' }
// @ts-expect-error required is a boolean
const badRoute: MfaRouteConfig = { required: 'yes' }
const reasonOf = (event: FailedEvent): MfaFailureReason => event.reason
const store: MfaStore = {
  get: async (): Promise<MfaRecord | null> => null,
  put: (_record: MfaRecord, _expected: number | null) => true,
  delete: () => false,
}

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  await app.register(rampartMfa, good)
  const mfa: Mfa = app.mfa
  app.get('/x', { config: { rampart: { mfa: { required: true } } } }, async () => 'x')
  app.get('/y', { config: { rampart: { mfa: false } } }, async () => 'y')
  const setup: MfaSetup = await mfa.setup('u', 'account')
  const result: MfaVerification = await mfa.verify('u', '123456')
  if (result.ok) {
    const method: 'totp' | 'backup' = result.method
    t.ok(method)
  } else {
    // @ts-expect-error a failure has no remainingBackupCodes
    t.notOk(result.remainingBackupCodes)
  }
  t.ok(setup.secret && createMfa({ keyring: testKeyring(), pepper: PEPPER, issuer: 'x', store }))
  t.ok(
    badAlgorithm && missing && badRoute && typeof reasonOf === 'function',
    'the wrong values exist only for the compiler',
  )
  await app.close()
})

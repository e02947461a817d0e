import t from 'tap'
import {
  backupCodesRegeneratedChannel,
  disabledChannel,
  enabledChannel,
  enrolledChannel,
  failedChannel,
  verifiedChannel,
} from '../src/index.js'
import { enrolled, fixture, oathtool, requireOathtool } from './fixtures/helpers.js'

requireOathtool()

t.test('every event, its channel name and its message', async (t) => {
  const { mfa, clock } = fixture()
  const log: [string, unknown][] = []
  for (const channel of [
    enrolledChannel,
    enabledChannel,
    verifiedChannel,
    failedChannel,
    disabledChannel,
    backupCodesRegeneratedChannel,
  ]) {
    const unsubscribe = (channel as typeof enrolledChannel).subscribe((message) => log.push([channel.name, message]))
    t.teardown(unsubscribe)
  }
  const { secret, backupCodes } = await enrolled(mfa, clock, 'gina')
  clock.advance(30_000)
  await mfa.verify('gina', oathtool(secret, clock.time))
  await mfa.verify('gina', oathtool(secret, clock.time))
  await mfa.verify('gina', backupCodes[0])
  await mfa.verify('gina', 'junk')
  await mfa.regenerateBackupCodes('gina')
  await mfa.disable('gina')
  await mfa.disable('gina')
  t.same(log, [
    ['rampart:mfa:enrolled', { userId: 'gina' }],
    ['rampart:mfa:verified', { userId: 'gina', method: 'totp', remainingBackupCodes: 10 }],
    ['rampart:mfa:enabled', { userId: 'gina' }],
    ['rampart:mfa:verified', { userId: 'gina', method: 'totp', remainingBackupCodes: 10 }],
    ['rampart:mfa:failed', { userId: 'gina', method: 'totp', reason: 'replayed' }],
    ['rampart:mfa:verified', { userId: 'gina', method: 'backup', remainingBackupCodes: 9 }],
    ['rampart:mfa:failed', { userId: 'gina', method: null, reason: 'malformed' }],
    ['rampart:mfa:backup-codes-regenerated', { userId: 'gina', count: 10 }],
    ['rampart:mfa:disabled', { userId: 'gina' }],
  ])
  const text = JSON.stringify(log)
  t.notOk(text.includes(secret), 'no secret in any event')
  for (const code of backupCodes) t.notOk(text.includes(code), 'no backup code in any event')
})

import t from 'tap'
import { type Alert, slackMessage } from '../src/index.js'

const alert: Alert = {
  type: 'auth-failures',
  title: 'Authentication failures',
  severity: 'error',
  count: 50,
  threshold: 50,
  windowMs: 300_000,
  firstSeen: Date.UTC(2025, 0, 1, 12, 0, 0),
  lastSeen: Date.UTC(2025, 0, 1, 12, 4, 0),
  suppressed: 0,
  sample: { ip: '203.0.113.7', route: '/api/<script>&*bold*/`x`', code: 'RAMPART_AUTH_INVALID' },
}

t.test('text for notifications, blocks for the channel', async (t) => {
  const message = slackMessage(alert)
  t.equal(message.text, ':red_circle: [ERROR] Authentication failures: 50 events in 5 min (threshold 50)')
  t.same(message.blocks[0], {
    type: 'section',
    text: { type: 'mrkdwn', text: ':red_circle: *[ERROR] Authentication failures: 50 events in 5 min (threshold 50)*' },
  })
  t.same(message.blocks[1], {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: '*Type*\n`auth-failures`' },
      { type: 'mrkdwn', text: '*Events*\n50 in 5 min (threshold 50)' },
      { type: 'mrkdwn', text: '*Client*\n`203.0.113.7`' },
      { type: 'mrkdwn', text: "*Route*\n`/api/&lt;script&gt;&amp;*bold*/'x'`" },
      { type: 'mrkdwn', text: '*Code*\n`RAMPART_AUTH_INVALID`' },
    ],
  })
  t.same(message.blocks[2], {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'first seen 2025-01-01T12:00:00.000Z, last seen 2025-01-01T12:04:00.000Z' }],
  })
})

t.test('first-event alerts, missing sample fields, suppressed counts', async (t) => {
  const message = slackMessage({
    ...alert,
    type: 'store-down',
    title: 'Rate-limit store unavailable',
    severity: 'critical',
    count: 1,
    threshold: 1,
    windowMs: 90_000,
    suppressed: 4,
    sample: { ip: null, route: null, code: 'redis: timeout' },
  })
  t.equal(message.text, ':rotating_light: [CRITICAL] Rate-limit store unavailable')
  t.match(JSON.stringify(message.blocks[1]), /\*Client\*\\n_none_/)
  t.match(JSON.stringify(message.blocks[1]), /1 in 90 s/)
  t.match(JSON.stringify(message.blocks[2]), /; 4 suppressed since the previous alert/)
})

t.test('windows read as hours, minutes, seconds or milliseconds', async (t) => {
  const events = (windowMs: number) => JSON.stringify(slackMessage({ ...alert, windowMs }).blocks[1])
  t.match(events(3_600_000), /50 in 1 h/)
  t.match(events(5_400_000), /50 in 90 min/)
  t.match(events(1500), /50 in 1500 ms/)
})

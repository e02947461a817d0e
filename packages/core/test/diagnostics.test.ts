import diagnosticsChannel from 'node:diagnostics_channel'
import t from 'tap'
import { channelName, EventChannel } from '../src/index.js'

t.test('channels follow rampart:<package>:<event> and publish only to subscribers', async (t) => {
  t.equal(channelName('rate-limit', 'exceeded'), 'rampart:rate-limit:exceeded')
  const channel = new EventChannel<{ n: number }>('test', 'event')
  t.equal(channel.hasSubscribers, false)
  channel.publish({ n: 0 })
  const seen: number[] = []
  const listener = (message: unknown) => seen.push((message as { n: number }).n)
  diagnosticsChannel.subscribe('rampart:test:event', listener)
  t.equal(channel.hasSubscribers, true)
  channel.publish({ n: 1 })
  diagnosticsChannel.unsubscribe('rampart:test:event', listener)
  const unsubscribe = channel.subscribe((message) => seen.push(message.n * 10))
  channel.publish({ n: 2 })
  unsubscribe()
  channel.publish({ n: 3 })
  t.same(seen, [1, 20])
})

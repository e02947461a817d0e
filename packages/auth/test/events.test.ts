import t from 'tap'
import { type AuthenticatedEvent, authenticatedChannel, type FailedEvent, failedChannel } from '../src/index.js'
import { build, readerKey } from './fixtures/app.js'

t.test('authenticated and failed events carry the request, the strategy and the reason', async (t) => {
  const { app } = await build()
  const authenticated: AuthenticatedEvent[] = []
  const failed: FailedEvent[] = []
  const offOk = authenticatedChannel.subscribe((event) => authenticated.push(event))
  const offFailed = failedChannel.subscribe((event) => failed.push(event))
  t.teardown(() => {
    offOk()
    offFailed()
  })
  await app.inject({ url: '/api/data', headers: { 'x-token': 'alice' } })
  await app.inject('/api/data')
  await app.inject({ url: '/api/data', headers: { 'x-token': 'forged' } })
  await app.inject({ method: 'POST', url: '/api/invoices', headers: { 'x-api-key': readerKey.key } })
  await app.inject({ url: '/api/both', headers: { 'x-token': 'alice' } })
  await app.inject('/health')

  t.same(
    authenticated.map((event) => [event.strategy, event.identity.id, event.request.url]),
    [
      ['jwt', 'alice', '/api/data'],
      ['api-key', 'reporting', '/api/invoices'],
    ],
  )
  t.same(
    failed.map((event) => [event.strategy, event.reason, event.description, event.request.url]),
    [
      [null, 'missing', 'Authentication required', '/api/data'],
      ['jwt', 'invalid', 'expired token', '/api/data'],
      ['api-key', 'insufficient-scope', 'missing scope: invoices', '/api/invoices'],
      [null, 'incomplete', 'Authentication incomplete: also required: api-key', '/api/both'],
    ],
  )
})

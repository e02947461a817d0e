import { type RefusalEvent, refusalChannel } from '@rampart/core'
import t from 'tap'
import { type RejectedEvent, rejectedChannel } from '../src/index.js'
import { build, cookieHeader, fetchToken } from './fixtures/helpers.js'

t.test('every refusal publishes rampart:csrf:rejected with its reason, and rampart:core:refusal', async (t) => {
  const app = await build()
  const { token } = await fetchToken(app, { sid: 's1' })
  const rejected: RejectedEvent[] = []
  const refusals: RefusalEvent[] = []
  const unsubscribe = [
    rejectedChannel.subscribe((event) => rejected.push(event)),
    refusalChannel.subscribe((event) => refusals.push(event)),
  ]
  t.teardown(() => {
    for (const stop of unsubscribe) stop()
  })
  const cookie = cookieHeader({ sid: 's1' })
  const cases: [Record<string, string>, string][] = [
    [{ cookie }, 'missing'],
    [{ cookie: 'theme=dark', 'x-csrf-token': token }, 'no-session'],
    [{ cookie, 'x-csrf-token': 'forged' }, 'invalid'],
    [{ cookie, 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' }, 'cross-site'],
    [{ cookie, 'x-csrf-token': token, origin: 'null' }, 'origin'],
  ]
  for (const [headers] of cases) await app.inject({ method: 'POST', url: '/api/x', headers })
  t.same(
    rejected.map((event) => event.reason),
    cases.map(([, reason]) => reason),
  )
  t.ok(rejected.every((event) => event.request.url === '/api/x'))
  t.same(
    refusals.map((event) => [event.status, event.code, event.source]),
    [
      [403, 'RAMPART_CSRF_MISSING', 'csrf'],
      [403, 'RAMPART_CSRF_MISSING', 'csrf'],
      [403, 'RAMPART_CSRF_INVALID', 'csrf'],
      [403, 'RAMPART_CSRF_CROSS_SITE', 'csrf'],
      [403, 'RAMPART_CSRF_ORIGIN', 'csrf'],
    ],
  )
  await app.inject({ method: 'POST', url: '/api/x', headers: { cookie, 'x-csrf-token': token } })
  t.equal(rejected.length, cases.length, 'nothing is published for an accepted request')
})

t.test('refusals are problem+json with a type, title and detail', async (t) => {
  const app = await build()
  const response = await app.inject({ method: 'POST', url: '/api/x', headers: { cookie: 'sid=s1' } })
  t.match(response.json(), {
    type: 'https://rampart.dev/problems/csrf/missing',
    title: 'Forbidden',
    status: 403,
    code: 'RAMPART_CSRF_MISSING',
    detail: /CSRF token/,
  })
})

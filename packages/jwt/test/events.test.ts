import { refusalChannel } from '@rampart/core'
import t from 'tap'
import { type RejectedEvent, rejectedChannel, type VerifiedEvent, verifiedChannel } from '../src/index.js'
import { bearer, build } from './fixtures/app.js'
import { hmacToken, nowSeconds, SECRET } from './fixtures/tokens.js'

t.test('rampart:jwt:verified is published on each signature check, not on cache hits', async (t) => {
  const app = await build({ keys: [{ kid: 'k1', algorithm: 'HS256', secret: SECRET }] })
  const events: VerifiedEvent[] = []
  const unsubscribe = verifiedChannel.subscribe((event) => events.push(event))
  t.teardown(unsubscribe)
  t.equal(verifiedChannel.name, 'rampart:jwt:verified')
  const token = hmacToken(SECRET, { sub: 'u', exp: nowSeconds() + 60 }, { alg: 'HS256', kid: 'k1' })
  for (let i = 0; i < 3; i++) await app.inject({ url: '/api/protected', headers: bearer(token) })
  t.equal(events.length, 1)
  t.match(events[0], { kid: 'k1', source: 'keys', identity: { id: 'u' } })
  t.equal(events[0]?.request.url, '/api/protected')
})

t.test('rampart:jwt:rejected: every refusal once, with its reason', async (t) => {
  const app = await build()
  const events: RejectedEvent[] = []
  const refusals: string[] = []
  const unsubscribe = rejectedChannel.subscribe((event) => events.push(event))
  const unsubscribeRefusals = refusalChannel.subscribe((event) => refusals.push(event.code))
  t.teardown(() => {
    unsubscribe()
    unsubscribeRefusals()
  })
  t.equal(rejectedChannel.name, 'rampart:jwt:rejected')
  const now = nowSeconds()
  await app.inject('/api/protected')
  await app.inject({ url: '/api/protected', headers: bearer('garbage') })
  await app.inject({ url: '/api/protected', headers: bearer(hmacToken(SECRET, { sub: 'u', exp: now - 100 })) })
  await app.inject({
    url: '/api/protected',
    headers: bearer(hmacToken(SECRET, { sub: 'u', exp: now + 60, nbf: now + 600 })),
  })
  await app.inject({ url: '/api/protected', headers: { authorization: 'Bearer' } })
  await app.inject({
    method: 'POST',
    url: '/api/write',
    headers: bearer(hmacToken(SECRET, { sub: 'u', exp: now + 60 })),
  })
  t.same(
    events.map((event) => [event.reason, event.description]),
    [
      ['missing', 'a bearer token is required'],
      ['malformed', 'invalid token: malformed'],
      ['expired', 'token expired'],
      ['not-yet-valid', 'token not yet valid'],
      ['malformed-request', 'malformed request: expected one bearer token'],
      ['insufficient-scope', 'missing scope: write'],
    ],
  )
  t.same(refusals, [
    'RAMPART_JWT_MISSING',
    'RAMPART_JWT_INVALID',
    'RAMPART_JWT_INVALID',
    'RAMPART_JWT_INVALID',
    'RAMPART_JWT_INVALID',
    'RAMPART_JWT_INSUFFICIENT_SCOPE',
  ])
})

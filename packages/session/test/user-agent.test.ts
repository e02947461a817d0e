import t from 'tap'
import { type RevokedEvent, revokedChannel } from '../src/index.js'
import { BROWSER, buildApp, cookieValue, OTHER_BROWSER } from './fixtures/helpers.js'

t.test('bindUserAgent: the cookie replayed from another user agent is refused and the session ended', async (t) => {
  const app = await buildApp(t, { bindUserAgent: true })
  const revoked: RevokedEvent[] = []
  t.teardown(revokedChannel.subscribe((event) => revoked.push(event)))
  const login = await app.inject({ method: 'POST', url: '/login/alice', headers: { 'user-agent': BROWSER } })
  const id = cookieValue(login) as string
  const own = await app.inject({ url: '/whoami', headers: { cookie: `sid=${id}`, 'user-agent': BROWSER } })
  t.equal(own.json().userId, 'alice', 'the same user agent')

  const thief = await app.inject({ url: '/whoami', headers: { cookie: `sid=${id}`, 'user-agent': OTHER_BROWSER } })
  t.equal(thief.statusCode, 200, 'no session, not an error')
  t.equal(thief.json().userId, null, 'another user agent: no session')
  const none = await app.inject({ url: '/whoami', headers: { cookie: `sid=${id}` } })
  t.equal(none.json().userId, null, 'no user agent at all: no session')
  t.equal(revoked.length, 1, 'the mismatch ended the session (once)')
  t.equal(revoked[0]?.reason, 'user-agent-mismatch')
  t.equal(revoked[0]?.userId, 'alice')
  t.ok(revoked[0]?.request)
  const back = await app.inject({ url: '/whoami', headers: { cookie: `sid=${id}`, 'user-agent': BROWSER } })
  t.equal(back.json().userId, null, 'a stolen cookie detected ends the session for its owner too')
})

t.test(
  'bindUserAgent: the binding follows rotation; sessions of an agentless client bind to the empty agent',
  async (t) => {
    const app = await buildApp(t, { bindUserAgent: true })
    const anonymous = cookieValue(
      await app.inject({ method: 'POST', url: '/visit', headers: { 'user-agent': BROWSER } }),
    )
    const login = await app.inject({
      method: 'POST',
      url: '/login/alice',
      headers: { cookie: `sid=${anonymous}`, 'user-agent': BROWSER },
    })
    const id = cookieValue(login) as string
    t.equal(
      (await app.inject({ url: '/whoami', headers: { cookie: `sid=${id}`, 'user-agent': BROWSER } })).json().userId,
      'alice',
    )

    const bare = cookieValue(await app.inject({ method: 'POST', url: '/login/bob' })) as string
    t.equal((await app.inject({ url: '/whoami', headers: { cookie: `sid=${bare}` } })).json().userId, 'bob')
    t.equal(
      (await app.inject({ url: '/whoami', headers: { cookie: `sid=${bare}`, 'user-agent': BROWSER } })).json().userId,
      null,
    )
  },
)

t.test('without bindUserAgent the user agent is ignored (and not stored)', async (t) => {
  const app = await buildApp(t)
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice', headers: { 'user-agent': BROWSER } }))
  const list = await app.rampartSession.list('alice')
  t.equal(list[0]?.userAgentHash, null)
  const other = await app.inject({ url: '/whoami', headers: { cookie: `sid=${id}`, 'user-agent': OTHER_BROWSER } })
  t.equal(other.json().userId, 'alice')
})

t.test('sessions stored without a binding are refused once binding is turned on', async (t) => {
  const { MemorySessionStore } = await import('../src/index.js')
  const store = new MemorySessionStore()
  const unbound = await buildApp(t, { store })
  const id = cookieValue(
    await unbound.inject({ method: 'POST', url: '/login/alice', headers: { 'user-agent': BROWSER } }),
  )
  const bound = await buildApp(t, { store, bindUserAgent: true })
  const response = await bound.inject({ url: '/whoami', headers: { cookie: `sid=${id}`, 'user-agent': BROWSER } })
  t.equal(response.json().userId, null)
})

import t from 'tap'
import { createdChannel, type RotatedEvent, rotatedChannel } from '../src/index.js'
import { buildApp, cookie, cookieValue } from './fixtures/helpers.js'
import { generateId } from './fixtures/ids.js'

t.test('an attacker-chosen session id is never adopted: the server issues its own', async (t) => {
  const app = await buildApp(t)
  const chosen = generateId() // well-formed, never issued
  const visit = await app.inject({ method: 'POST', url: '/visit', headers: cookie(chosen) })
  const issued = cookieValue(visit)
  t.ok(issued !== undefined && issued !== chosen, 'a fresh id, not the one the client sent')
  t.same((await app.inject({ url: '/whoami', headers: cookie(chosen) })).json().data, {}, 'the chosen id names nothing')

  const login = await app.inject({ method: 'POST', url: '/login/victim', headers: cookie(chosen) })
  const session = cookieValue(login)
  t.ok(session !== undefined && session !== chosen)
  t.equal(
    (await app.inject({ url: '/whoami', headers: cookie(chosen) })).json().userId,
    null,
    'the attacker id is not logged in',
  )
  t.equal((await app.inject({ url: '/whoami', headers: cookie(session as string) })).json().userId, 'victim')
})

t.test('session fixation: a pre-login session planted by an attacker is dead after the victim logs in', async (t) => {
  const app = await buildApp(t)
  const rotated: RotatedEvent[] = []
  t.teardown(rotatedChannel.subscribe((event) => rotated.push(event)))
  // The attacker gets a real anonymous session and plants its id in the victim's browser.
  const planted = cookieValue(await app.inject({ method: 'POST', url: '/visit' })) as string
  // The victim logs in with it.
  const login = await app.inject({ method: 'POST', url: '/login/victim', headers: cookie(planted) })
  t.equal(login.statusCode, 200)
  const fresh = cookieValue(login) as string
  t.not(fresh, planted, 'login rotates the id')
  // The attacker replays the planted id: anonymous, and the visit data is gone too.
  const attacker = await app.inject({ url: '/whoami', headers: cookie(planted) })
  t.same(attacker.json(), { userId: null, data: {}, isNew: true }, 'the planted id is dead')
  const victim = await app.inject({ url: '/whoami', headers: cookie(fresh) })
  t.same(
    victim.json(),
    { userId: 'victim', data: { loggedInAt: 1 }, isNew: false },
    'pre-login data is not carried over',
  )
  t.equal(rotated.length, 1)
  t.equal(rotated[0]?.reason, 'login')
  t.equal(rotated[0]?.userId, 'victim')
  t.not(rotated[0]?.ref, rotated[0]?.previousRef)
})

t.test('privilege change: regenerate() keeps user and data under a new id; the old id is dead at once', async (t) => {
  const app = await buildApp(t)
  const reasons: string[] = []
  t.teardown(rotatedChannel.subscribe((event) => reasons.push(event.reason)))
  const user = cookieValue(await app.inject({ method: 'POST', url: '/login/bob' })) as string
  const elevate = await app.inject({ method: 'POST', url: '/elevate', headers: cookie(user) })
  const admin = cookieValue(elevate) as string
  t.ok(admin !== undefined && admin !== user)
  t.same((await app.inject({ url: '/whoami', headers: cookie(admin) })).json(), {
    userId: 'bob',
    data: { loggedInAt: 1, role: 'admin' },
    isNew: false,
  })
  t.same(
    (await app.inject({ url: '/whoami', headers: cookie(user) })).json().userId,
    null,
    'the pre-elevation id is dead',
  )
  t.same(reasons, ['regenerate'], 'the first login created its session; the elevation rotated it')
})

t.test('logging in again from a logged-in session rotates too (no id outlives a login)', async (t) => {
  const app = await buildApp(t)
  const created: string[] = []
  t.teardown(createdChannel.subscribe((event) => created.push(event.reason)))
  const first = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  const second = cookieValue(
    await app.inject({ method: 'POST', url: '/login/mallory', headers: cookie(first) }),
  ) as string
  t.not(second, first)
  t.equal((await app.inject({ url: '/whoami', headers: cookie(first) })).json().userId, null)
  t.equal((await app.inject({ url: '/whoami', headers: cookie(second) })).json().userId, 'mallory')
  t.same(created, ['login'], 'the first login created a session; the second rotated it')
})

t.test('login() checks its arguments', async (t) => {
  const app = await buildApp(t, {}, (app) => {
    app.post('/bad-login', async (request) => {
      const session = await request.sessionLoad()
      const errors: string[] = []
      for (const args of [[''], ['x'.repeat(257)], [42], ['ok', []], ['ok', null]] as unknown[][]) {
        try {
          // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong arguments
          await (session.login as any)(...args)
        } catch (error) {
          errors.push((error as { code: string }).code)
        }
      }
      return { errors, id: session.id }
    })
  })
  const response = await app.inject({ method: 'POST', url: '/bad-login' })
  t.same(response.json(), { errors: Array(5).fill('RAMPART_SESSION_INVALID_ARGUMENT'), id: null })
})

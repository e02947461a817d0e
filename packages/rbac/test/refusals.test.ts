import { refusalChannel } from '@rampart/core'
import t from 'tap'
import { type DeniedEvent, deniedChannel, type GrantedEvent, grantedChannel } from '../src/index.js'
import { build, call } from './fixtures/app.js'

const RULE = { config: { rampart: { rbac: { permissions: ['read:users', 'admin:access'] } } } }

t.test('no identity: 401 problem+json with WWW-Authenticate: Bearer', async (t) => {
  const app = await build()
  app.get('/users', RULE, async () => [])
  const response = await call(app, null, '/users')
  t.equal(response.statusCode, 401)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.equal(response.headers['www-authenticate'], 'Bearer')
  t.match(response.json(), {
    type: 'https://rampart.dev/problems/rbac/unauthenticated',
    title: 'Unauthorized',
    status: 401,
    code: 'RAMPART_RBAC_UNAUTHENTICATED',
    detail: 'Authentication required',
  })
  t.notOk('missing' in response.json())
})

t.test('the challenge is configurable, or absent', async (t) => {
  const custom = await build({ challenge: 'Bearer realm="api"' })
  custom.get('/users', RULE, async () => [])
  t.equal((await call(custom, null, '/users')).headers['www-authenticate'], 'Bearer realm="api"')
  const none = await build({ challenge: false })
  none.get('/users', RULE, async () => [])
  const response = await call(none, null, '/users')
  t.equal(response.statusCode, 401)
  t.notOk('www-authenticate' in response.headers)
})

t.test('403 does not say what is missing by default (the seed leaked the set)', async (t) => {
  const app = await build()
  app.get('/users', RULE, async () => [])
  const response = await call(app, 'morgan', '/users')
  t.equal(response.statusCode, 403)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.notOk('www-authenticate' in response.headers)
  const body = response.json()
  t.match(body, { status: 403, code: 'RAMPART_RBAC_FORBIDDEN', title: 'Forbidden', detail: 'Insufficient permissions' })
  t.notOk('missing' in body)
  t.notMatch(response.body, /admin:access|read:users/)
})

t.test('exposeMissing: true lists what is missing, in detail and in a `missing` member', async (t) => {
  const app = await build({ exposeMissing: true })
  app.get('/users', RULE, async () => [])
  app.get(
    '/any',
    { config: { rampart: { rbac: { permissions: ['admin:access', 'delete:users'], mode: 'any' } } } },
    async () => 'x',
  )
  app.get('/role', { config: { rampart: { rbac: { roles: ['admin', 'moderator'] } } } }, async () => 'x')
  const some = (await call(app, 'morgan', '/users')).json()
  t.equal(some.detail, 'Missing permissions: admin:access')
  t.same(some.missing, ['admin:access'])
  const any = (await call(app, 'alice', '/any')).json()
  t.equal(any.detail, 'Requires one of the permissions: admin:access, delete:users')
  t.same(any.missing, ['admin:access', 'delete:users'])
  const role = (await call(app, 'alice', '/role')).json()
  t.equal(role.detail, 'Requires one of the roles: admin, moderator')
  const anonymous = (await call(app, null, '/users')).json()
  t.notOk('missing' in anonymous, 'never on a 401')
})

t.test(
  'events: denied with what was required and missing; refusal through core; granted only when subscribed',
  async (t) => {
    const app = await build()
    app.get('/users', RULE, async () => [])
    const denied: Omit<DeniedEvent, 'request'>[] = []
    const granted: Omit<GrantedEvent, 'request'>[] = []
    const refusals: string[] = []
    const stop = [
      deniedChannel.subscribe(({ request, ...rest }) => {
        t.equal(request.url, '/users')
        denied.push(rest)
      }),
      refusalChannel.subscribe((event) => refusals.push(`${event.status} ${event.code} ${event.source}`)),
    ]
    t.teardown(() => {
      for (const unsubscribe of stop) unsubscribe()
    })
    await call(app, 'morgan', '/users')
    await call(app, null, '/users')
    t.same(denied, [
      {
        reason: 'forbidden',
        subject: 'permissions',
        mode: 'all',
        required: ['read:users', 'admin:access'],
        missing: ['admin:access'],
        identityId: 'morgan',
      },
      {
        reason: 'unauthenticated',
        subject: 'permissions',
        mode: 'all',
        required: ['read:users', 'admin:access'],
        missing: ['read:users', 'admin:access'],
        identityId: null,
      },
    ])
    t.same(refusals, ['403 RAMPART_RBAC_FORBIDDEN rbac', '401 RAMPART_RBAC_UNAUTHENTICATED rbac'])

    t.equal((await call(app, 'root', '/users')).statusCode, 200)
    t.notOk(grantedChannel.hasSubscribers, 'nothing is built for granted while nobody listens')
    const unsubscribe = grantedChannel.subscribe(({ request, ...rest }) => granted.push(rest))
    await call(app, 'root', '/users')
    unsubscribe()
    t.same(granted, [{ subject: 'permissions', required: ['read:users', 'admin:access'], identityId: 'root' }])
  },
)

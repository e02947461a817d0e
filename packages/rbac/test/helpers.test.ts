import Fastify from 'fastify'
import t from 'tap'
import rampartRbac, { type DeniedEvent, deniedChannel, grantedChannel } from '../src/index.js'
import { build, call, IDENTITIES, identity } from './fixtures/app.js'

t.test('can, canAll, canAny, hasRole, permissionsOf, rolesOf', async (t) => {
  const app = await build()
  const { rbac } = app
  const { alice, morgan, root } = IDENTITIES
  t.ok(rbac.can(morgan, 'read:users'))
  t.notOk(rbac.can(alice, 'read:users'))
  t.notOk(rbac.can(null, 'read:posts'))
  t.notOk(rbac.can(undefined, 'read:posts'))
  t.ok(rbac.canAll(root, ['read:users', 'admin:access']))
  t.notOk(rbac.canAll(morgan, ['read:users', 'admin:access']))
  t.ok(rbac.canAll(alice, []), 'nothing required, nothing missing')
  t.notOk(rbac.canAll(null, []), 'but never for no identity')
  t.ok(rbac.canAny(morgan, ['read:users', 'admin:access']))
  t.notOk(rbac.canAny(alice, ['read:users', 'admin:access']))
  t.notOk(rbac.canAny(null, ['read:posts']))
  t.ok(rbac.hasRole(root, 'admin'))
  t.notOk(rbac.hasRole(root, 'user'), 'the seed has no inheritance: admin is not a user')
  t.notOk(rbac.hasRole(null, 'user'))
  t.same(rbac.permissionsOf(alice), ['read:posts', 'write:posts'])
  t.same(rbac.permissionsOf(null), [])
  t.same(rbac.rolesOf(morgan), ['moderator'])
  t.same(rbac.rolesOf(undefined), [])
  const list = rbac.permissionsOf(alice)
  list.push('admin:access')
  t.notOk(rbac.can(alice, 'admin:access'), 'the list returned is a copy')
})

t.test('requirePermission, requireAnyPermission, requireRole as route hooks', async (t) => {
  const app = await build()
  const { rbac } = app
  app.get('/users', { preHandler: rbac.requirePermission('read:users') }, async () => [])
  app.get('/both', { preHandler: rbac.requirePermission('read:users', 'admin:access') }, async () => [])
  app.get('/any', { preHandler: rbac.requireAnyPermission('admin:access', 'delete:posts') }, async () => [])
  app.get('/mods', { onRequest: rbac.requireRole('moderator', 'admin') }, async () => [])
  const expect: [string, string | null, number][] = [
    ['/users', 'morgan', 200],
    ['/users', 'alice', 403],
    ['/users', null, 401],
    ['/both', 'morgan', 403],
    ['/both', 'root', 200],
    ['/any', 'morgan', 200],
    ['/any', 'alice', 403],
    ['/mods', 'morgan', 200],
    ['/mods', 'root', 200],
    ['/mods', 'alice', 403],
    ['/mods', null, 401],
  ]
  for (const [url, as, status] of expect) {
    const response = await call(app, as, url)
    t.equal(response.statusCode, status, `${as} ${url}`)
    if (status !== 200) t.match(response.headers['content-type'], /^application\/problem\+json/)
  }
})

t.test('the hook helpers check their arguments when the route is defined', async (t) => {
  const app = await build()
  t.throws(() => app.rbac.requirePermission(), {
    code: 'RAMPART_RBAC_INVALID_OPTION',
    message: /at least one permission/,
  })
  t.throws(() => app.rbac.requirePermission('read users'), { message: /requirePermission\(\.\.\.\)\[0\]" must match/ })
  t.throws(() => app.rbac.requirePermission('admin:*'), { message: /cannot be a wildcard/ })
  t.throws(() => app.rbac.requireRole('owner'), { message: /is not a role; roles are: user, moderator, admin/ })
  t.throws(() => app.rbac.requireAnyPermission('ok', 42 as unknown as string), { message: /\[1\]" must be a string/ })
})

t.test('assertOwnership: the owner, or a permission, else 403; no identity 401', async (t) => {
  const app = await build({ exposeMissing: true })
  const owners: Record<string, unknown> = { 1: 'alice', 2: 'morgan', 3: undefined, 4: null, 5: { id: 'alice' } }
  app.put('/users/:id', async (request) => {
    const { id } = request.params as { id: string }
    return { via: app.rbac.assertOwnership(request, owners[id], { orPermission: 'write:users' }) }
  })
  app.delete('/posts/:id', async (request) => {
    const { id } = request.params as { id: string }
    return { via: app.rbac.assertOwnership(request, owners[id], { orPermission: ['delete:posts', 'admin:access'] }) }
  })
  t.same((await call(app, 'alice', '/users/1', { method: 'PUT' })).json(), { via: 'owner' })
  t.same((await call(app, 'root', '/users/1', { method: 'PUT' })).json(), { via: 'permission' })
  const other = await call(app, 'alice', '/users/2', { method: 'PUT' })
  t.equal(other.statusCode, 403)
  t.match(other.headers['content-type'], /^application\/problem\+json/)
  t.match(other.json(), {
    code: 'RAMPART_RBAC_FORBIDDEN',
    detail: 'Only the owner, or an identity with write:users, may do this',
    missing: ['write:users'],
  })
  const anonymous = await call(app, null, '/users/1', { method: 'PUT' })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.headers['www-authenticate'], 'Bearer')
  t.equal(anonymous.json().code, 'RAMPART_RBAC_UNAUTHENTICATED')
  for (const id of ['3', '4', '5']) {
    t.equal(
      (await call(app, 'alice', `/users/${id}`, { method: 'PUT' })).statusCode,
      403,
      `owner ${owners[id]} is nobody`,
    )
  }
  t.same((await call(app, 'morgan', '/posts/1', { method: 'DELETE' })).json(), { via: 'permission' }, 'any of the list')
  t.equal((await call(app, 'alice', '/posts/2', { method: 'DELETE' })).statusCode, 403)

  const numeric = await build({}, {}, { seven: identity('7', { role: 'user' }) })
  numeric.get('/own/:n', async (request) => {
    const { n } = request.params as { n: string }
    return { via: numeric.rbac.assertOwnership(request, n === 'big' ? 7n : Number(n)) }
  })
  t.same((await call(numeric, 'seven', '/own/7')).json(), { via: 'owner' }, 'a numeric id matches its string form')
  t.same((await call(numeric, 'seven', '/own/big')).json(), { via: 'owner' }, 'a bigint too')
  t.equal((await call(numeric, 'seven', '/own/8')).statusCode, 403)
  t.equal((await call(numeric, 'seven', '/own/NaN')).statusCode, 403)
  const plain = (await call(numeric, 'seven', '/own/8')).json()
  t.equal(plain.detail, 'Not allowed on this resource', 'without exposeMissing, nothing is said')
})

t.test('assertOwnership publishes denied', async (t) => {
  const app = await build()
  app.get('/doc', async (request) =>
    app.rbac.assertOwnership(request, 'someone-else', { orPermission: 'admin:access' }),
  )
  const events: Omit<DeniedEvent, 'request'>[] = []
  const unsubscribe = deniedChannel.subscribe(({ request, ...rest }) => events.push(rest))
  t.teardown(unsubscribe)
  await call(app, 'alice', '/doc')
  t.same(events, [
    {
      reason: 'forbidden',
      subject: 'ownership',
      mode: 'any',
      required: ['admin:access'],
      missing: ['admin:access'],
      identityId: 'alice',
    },
  ])
})

t.test('without core problem replies, a thrown refusal still has its status', async (t) => {
  const app = Fastify()
  await app.register(rampartRbac)
  app.get('/doc', async (request) => app.rbac.assertOwnership(request, 'x'))
  const response = await app.inject('/doc')
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'RAMPART_RBAC_UNAUTHENTICATED')
})

t.test('assertOwnership without orPermission, with exposeMissing; granted events for ownership', async (t) => {
  const app = await build({ exposeMissing: true })
  app.get('/doc/:owner', async (request) =>
    app.rbac.assertOwnership(request, (request.params as { owner: string }).owner),
  )
  const refused = await call(app, 'alice', '/doc/morgan')
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().detail, 'Only the owner may do this')
  t.same(refused.json().missing, [])
  const granted: unknown[] = []
  const unsubscribe = grantedChannel.subscribe(({ request, ...rest }) => granted.push(rest))
  t.teardown(unsubscribe)
  t.equal((await call(app, 'alice', '/doc/alice')).statusCode, 200)
  t.same(granted, [{ subject: 'ownership', required: [], identityId: 'alice' }])
})

t.test('a custom rolesOf may return one role as a string; wildcards on plain names', async (t) => {
  const app = await build({ rolesOf: () => 'moderator', wildcards: true })
  t.same(app.rbac.rolesOf(IDENTITIES.nobody), ['moderator'])
  t.notOk(app.rbac.can(IDENTITIES.nobody, 'admin'), 'a name without a segment has no wildcard')
})

import type { Identity } from '@rampart/core'
import t from 'tap'
import { DEFAULT_ROLES, rolesFromClaims } from '../src/index.js'
import { build, call, IDENTITIES, identity } from './fixtures/app.js'

const READ_USERS = { config: { rampart: { rbac: { permissions: ['read:users'] } } } }

t.test('a role map replaces the default one as a whole', async (t) => {
  const app = await build(
    { roles: { reader: ['read:users'] } },
    {},
    { ...IDENTITIES, reader: identity('r', { role: 'reader' }) },
  )
  app.get('/users', READ_USERS, async () => [])
  t.equal((await call(app, 'reader', '/users')).statusCode, 200)
  t.equal((await call(app, 'morgan', '/users')).statusCode, 403, 'moderator is not a role any more')
  t.same(app.rbac.rolesOf(IDENTITIES.morgan), [])
})

t.test('the defaults can be extended by spreading them', async (t) => {
  const roles = { ...DEFAULT_ROLES, support: { permissions: ['read:tickets'], inherits: ['user'] } }
  const app = await build({ roles }, {}, { ...IDENTITIES, support: identity('s', { role: 'support' }) })
  t.same(app.rbac.permissionsOf(IDENTITIES.morgan), ['delete:posts', 'read:posts', 'read:users', 'write:posts'])
  t.same(app.rbac.permissionsOf(identity('s', { role: 'support' })), ['read:posts', 'read:tickets', 'write:posts'])
  t.same(app.rbac.rolesOf(identity('s', { role: 'support' })), ['support', 'user'])
})

t.test('inheritance is transitive and diamond-safe', async (t) => {
  const app = await build({
    roles: {
      base: ['a'],
      left: { permissions: ['b'], inherits: ['base'] },
      right: { permissions: ['c'], inherits: ['base'] },
      top: { permissions: ['d'], inherits: ['left', 'right'] },
    },
  })
  const top = identity('t', { role: 'top' })
  t.same(app.rbac.permissionsOf(top), ['a', 'b', 'c', 'd'])
  t.same(app.rbac.rolesOf(top), ['base', 'left', 'right', 'top'])
  t.ok(app.rbac.hasRole(top, 'base'))
  t.notOk(app.rbac.hasRole(identity('l', { role: 'left' }), 'right'))
})

t.test('an identity with several roles holds the union of their permissions', async (t) => {
  const app = await build()
  const both = IDENTITIES.both as Identity
  t.same(app.rbac.permissionsOf(both), ['delete:posts', 'read:posts', 'read:users', 'write:posts'])
  const mixed = identity('mixed', { role: 'user', roles: 'moderator' })
  t.same(app.rbac.rolesOf(mixed), ['moderator', 'user'], '`role` and `roles`, each a string or an array')
})

t.test("unknown roles grant nothing and are not an error (the seed's UserRole(role) raised: a 500)", async (t) => {
  const app = await build(
    {},
    {},
    { ghost: identity('g', { role: 'superuser' }), half: identity('h', { roles: ['superuser', 'moderator'] }) },
  )
  app.get('/users', READ_USERS, async () => [])
  t.equal((await call(app, 'ghost', '/users')).statusCode, 403)
  t.equal((await call(app, 'half', '/users')).statusCode, 200, 'the known role still counts')
})

t.test('scopes count as permissions: JWT scopes and API key scopes', async (t) => {
  const app = await build()
  app.get('/users', READ_USERS, async () => [])
  app.get('/admin', { config: { rampart: { rbac: { permissions: ['admin:access'] } } } }, async () => 'admin')
  t.equal((await call(app, 'api-key', '/users')).statusCode, 200, 'an API key with read:users')
  t.equal((await call(app, 'api-key', '/admin')).statusCode, 403)
  t.equal((await call(app, 'scoped-alice', '/admin')).statusCode, 200, 'a user token carrying admin:access')
  t.same(app.rbac.permissionsOf(IDENTITIES['scoped-alice']), ['admin:access', 'read:posts', 'write:posts'])
})

t.test('useScopes: false counts roles only', async (t) => {
  const app = await build({ useScopes: false })
  app.get('/users', READ_USERS, async () => [])
  t.equal((await call(app, 'api-key', '/users')).statusCode, 403)
  t.equal((await call(app, 'morgan', '/users')).statusCode, 200)
})

t.test('rolesOf decides where roles come from, and sees only the identity', async (t) => {
  const seen: unknown[] = []
  const app = await build({
    rolesOf: (who) => {
      seen.push(who)
      return who.claims?.groups as string[] | undefined
    },
  })
  app.get('/users', READ_USERS, async () => [])
  const grouped = identity('g', { groups: ['moderator'], role: 'user' })
  t.same(app.rbac.rolesOf(grouped), ['moderator'], 'the `role` claim is no longer read')
  t.same(app.rbac.rolesOf(IDENTITIES.root), [])
  t.ok(
    seen.every((who) => who === grouped || who === IDENTITIES.root),
    'called with identities only',
  )
  t.same(rolesFromClaims(identity('x', { roles: 'admin' })), ['admin'])
  t.same(rolesFromClaims(identity('x', {}, [], 'api-key')), [])
  t.same(rolesFromClaims({ id: 'x', kind: 'service', scopes: [] }), [])
})

t.test("wildcards: 'resource:*' in a role covers the resource's permissions, at any depth", async (t) => {
  const app = await build({ wildcards: true, roles: { editor: ['posts:*'], owner: ['posts:drafts:*'] } })
  const editor = identity('e', { role: 'editor' })
  const owner = identity('o', { role: 'owner' })
  t.ok(app.rbac.can(editor, 'posts:write'))
  t.ok(app.rbac.can(editor, 'posts:drafts:delete'))
  t.notOk(app.rbac.can(editor, 'users:read'))
  t.notOk(app.rbac.can(editor, 'postsx:read'))
  t.ok(app.rbac.can(owner, 'posts:drafts:delete'))
  t.notOk(app.rbac.can(owner, 'posts:write'))
  const withOwner = await build({ wildcards: true, roles: { owner: ['posts:drafts:*'] } }, {}, { owner })
  withOwner.get('/drafts', { config: { rampart: { rbac: { permissions: ['posts:drafts:read'] } } } }, async () => [])
  t.equal((await call(withOwner, 'owner', '/drafts')).statusCode, 200)
})

import Fastify from 'fastify'
import t from 'tap'
import rampartRbac, { DEFAULTS, resolveOptions } from '../src/index.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ role: {} }, /option "role" is not a known option/],
    [{ roles: [] }, /option "roles" must be an object \(got an array\)/],
    [{ roles: null }, /option "roles" must be an object \(got null\)/],
    [{ roles: { user: 'read:posts' } }, /option "roles.user" must be an object \(got "read:posts"\)/],
    [{ roles: { user: ['read:posts', 7] } }, /option "roles.user\[1\]" must be a non-empty string/],
    [{ roles: { user: ['read posts'] } }, /option "roles.user\[0\]" must match/],
    [{ roles: { user: { permissions: [''] } } }, /option "roles.user.permissions\[0\]" must be a non-empty string/],
    [{ roles: { user: { permission: [] } } }, /option "roles.user.permission" is not a known option/],
    [{ roles: { 'power user': [] } }, /option "roles\["power user"\]" is not a role name/],
    [{ roles: { user: ['admin:*'] } }, /option "roles.user\[0\]" is a wildcard; set `wildcards: true`/],
    [{ wildcards: true, roles: { root: ['*'] } }, /option "roles.root\[0\]" must be a whole last segment/],
    [{ wildcards: true, roles: { root: ['a*:*'] } }, /option "roles.root\[0\]" must be a whole last segment/],
    [
      { roles: { admin: { inherits: ['boss'] } } },
      /option "roles.admin.inherits\[0\]" is not a role; roles are: admin \(got "boss"\)/,
    ],
    [{ roles: { a: { inherits: ['a'] } } }, /option "roles.a.inherits" forms a cycle: a -> a/],
    [
      { roles: { a: { inherits: ['b'] }, b: { inherits: ['c'] }, c: { inherits: ['a'] } } },
      /option "roles.c.inherits" forms a cycle: a -> b -> c -> a/,
    ],
    [{ rolesOf: 'role' }, /option "rolesOf" must be a function/],
    [{ useScopes: 'yes' }, /option "useScopes" must be true or false/],
    [{ wildcards: 1 }, /option "wildcards" must be true or false/],
    [{ exposeMissing: null }, /option "exposeMissing" must be true or false \(got null\)/],
    [{ hook: 'preParsing' }, /option "hook" must be one of "onRequest", "preValidation", "preHandler"/],
    [{ challenge: 'Bearer\r\nX-Evil: 1' }, /option "challenge" must match/],
    [{ challenge: '' }, /option "challenge" must not be empty/],
    [{ challenge: true }, /option "challenge" must be a string/],
    [{ pathRules: ['/admin'] }, /option "pathRules" must be an object/],
    [{ pathRules: { admin: { permissions: ['x'] } } }, /option "pathRules\["admin"\]" must match/],
    [
      { pathRules: { '/admin': { permissions: ['x'] }, '/admin/': { permissions: ['y'] } } },
      /option "pathRules\["\/admin\/"\]" is the same path as "\/admin"/,
    ],
    [
      { pathRules: { '/admin': { permissions: [] } } },
      /pathRules\["\/admin"\].permissions" must list at least one permission/,
    ],
    [{ pathRules: { '/admin': {} } }, /pathRules\["\/admin"\]" must give either `permissions` or `roles`/],
    [{ pathRules: { '/admin': { roles: ['root'] } } }, /pathRules\["\/admin"\].roles\[0\]" is not a role/],
    [
      { pathRules: { '/admin': { permissions: ['x'], mode: 'some' } } },
      /pathRules\["\/admin"\].mode" must be one of "all", "any"/,
    ],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartRbac, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_RBAC_INVALID_OPTION', message }, String(message))
  }
})

t.test('bad route configs fail when the route is added', async (t) => {
  const app = Fastify()
  await app.register(rampartRbac)
  const cases: [unknown, RegExp][] = [
    [true, /must be a rule object or false \(got true\)/],
    [{ permissions: [] }, /permissions" must list at least one permission \(to require only authentication/],
    [{ roles: [] }, /roles" must list at least one role/],
    [{ permissions: ['read:users'], roles: ['admin'] }, /must give either `permissions` or `roles`/],
    [{ permissions: 'read:users' }, /permissions" must be an array of strings/],
    [{ permissions: ['admin:*'] }, /permissions\[0\]" cannot be a wildcard/],
    [{ roles: ['root'] }, /roles\[0\]" is not a role; roles are: user, moderator, admin/],
    [{ permissions: ['x'], mode: 'every' }, /mode" must be one of "all", "any"/],
    [{ permission: ['x'] }, /permission" is not a known option/],
  ]
  let index = 0
  for (const [rbac, message] of cases) {
    t.throws(
      () => app.get(`/r${index++}`, { config: { rampart: { rbac: rbac as never } } }, async () => 'ok'),
      { code: 'RAMPART_RBAC_INVALID_OPTION', message: new RegExp(`route GET /r\\d+\\)?.*${message.source}`) },
      String(message),
    )
  }
})

t.test('resolveOptions: the defaults, frozen', async (t) => {
  const resolved = resolveOptions()
  t.ok(Object.isFrozen(resolved))
  t.same([...resolved.roles.keys()], ['user', 'moderator', 'admin'])
  t.equal(resolved.hook, 'preHandler')
  t.equal(resolved.challenge, 'Bearer')
  t.equal(resolved.exposeMissing, false)
  t.equal(resolved.useScopes, true)
  t.equal(resolved.wildcards, false)
  t.same(resolved.pathRules, [])
  t.equal(resolved.rolesOf, DEFAULTS.rolesOf)
  t.equal(resolveOptions({ challenge: false }).challenge, null)
  t.same(resolveOptions({ roles: {} }).roles.size, 0, 'an empty map: scopes only')
})

t.test('registering twice on one instance is refused by Fastify, not silently merged', async (t) => {
  const app = Fastify()
  await app.register(rampartRbac)
  await t.rejects(async () => {
    await app.register(rampartRbac)
  })
})

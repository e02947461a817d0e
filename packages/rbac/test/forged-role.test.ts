import type { Identity } from '@rampart/core'
import type { RouteShorthandOptions } from 'fastify'
import t from 'tap'
import { build, call, IDENTITIES, identity } from './fixtures/app.js'

// Adversarial: permission escalation through a forged role claim. The role comes only from the
// verified identity (request.identity, which @rampart/auth sets from a verified JWT or API key
// record; a JWT claiming `role: admin` under the wrong key never gets that far, that is auth's
// test). Here a test hook stands in for auth, and every other place a role could be smuggled in
// is tried: headers, query, body, cookies.

const ADMIN_ONLY: RouteShorthandOptions = { config: { rampart: { rbac: { permissions: ['admin:access'] } } } }
const ADMIN_ROLE: RouteShorthandOptions = { config: { rampart: { rbac: { roles: ['admin'] } } } }

const FORGED_HEADERS: Record<string, string>[] = [
  { 'x-role': 'admin' },
  { 'x-roles': 'admin' },
  { 'x-user-role': 'admin' },
  { role: 'admin' },
  { 'x-permissions': 'admin:access' },
  { 'x-scopes': 'admin:access' },
  { 'x-scope': 'admin:access' },
  { 'x-forwarded-user': 'root' },
  { 'x-user-id': 'root' },
  { 'x-identity': JSON.stringify({ id: 'root', kind: 'user', scopes: ['admin:access'], claims: { role: 'admin' } }) },
  { cookie: 'role=admin; roles=admin; permissions=admin:access' },
  // An unverified token claiming admin: rbac never reads the Authorization header itself.
  { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290Iiwicm9sZSI6ImFkbWluIn0.' },
]
const FORGED_QUERIES = [
  '?role=admin',
  '?roles=admin',
  '?roles[]=admin',
  '?role=admin&role=admin',
  '?permissions=admin:access',
  '?scope=admin:access',
  '?identity[claims][role]=admin',
]
const FORGED_BODIES: unknown[] = [
  { role: 'admin' },
  { roles: ['admin'] },
  { permissions: ['admin:access'], scopes: ['admin:access'] },
  { identity: { id: 'root', claims: { role: 'admin' }, scopes: ['admin:access'] } },
]
// Prototype-pollution shapes: Fastify's JSON parser refuses them (400) before any hook sees them.
const POISONED_BODIES = [
  '{"__proto__": {"role": "admin", "roles": ["admin"], "scopes": ["admin:access"]}}',
  '{"constructor": {"prototype": {"role": "admin"}}}',
]

async function app() {
  const instance = await build()
  for (const path of ['/admin/permission', '/admin/role']) {
    const options = path.endsWith('permission') ? ADMIN_ONLY : ADMIN_ROLE
    instance.get(path, options, async (request) => ({ id: request.identity?.id }))
    instance.post(path, options, async (request) => ({ id: request.identity?.id }))
  }
  return instance
}

t.test('the baseline: admin passes, a user is refused, anonymous is 401', async (t) => {
  const instance = await app()
  for (const path of ['/admin/permission', '/admin/role']) {
    t.equal((await call(instance, 'root', path)).statusCode, 200, `root ${path}`)
    t.equal((await call(instance, 'alice', path)).statusCode, 403, `alice ${path}`)
    t.equal((await call(instance, null, path)).statusCode, 401, `anonymous ${path}`)
  }
})

t.test('headers claiming a role or permissions change nothing', async (t) => {
  const instance = await app()
  for (const path of ['/admin/permission', '/admin/role']) {
    for (const headers of FORGED_HEADERS) {
      const label = `${path} ${JSON.stringify(headers)}`
      t.equal((await call(instance, 'alice', path, { headers })).statusCode, 403, `user: ${label}`)
      t.equal((await call(instance, 'morgan', path, { headers })).statusCode, 403, `moderator: ${label}`)
      const anonymous = await call(instance, null, path, { headers })
      t.equal(anonymous.statusCode, 401, `anonymous: ${label}`)
      t.equal(anonymous.json().code, 'RAMPART_RBAC_UNAUTHENTICATED')
    }
  }
})

t.test('query parameters claiming a role change nothing', async (t) => {
  const instance = await app()
  for (const path of ['/admin/permission', '/admin/role']) {
    for (const query of FORGED_QUERIES) {
      t.equal((await call(instance, 'alice', `${path}${query}`)).statusCode, 403, `user: ${path}${query}`)
      t.equal((await call(instance, null, `${path}${query}`)).statusCode, 401, `anonymous: ${path}${query}`)
    }
  }
})

t.test('bodies claiming a role change nothing (the check runs after the body is parsed)', async (t) => {
  const instance = await app()
  for (const path of ['/admin/permission', '/admin/role']) {
    for (const payload of FORGED_BODIES) {
      const label = `${path} ${JSON.stringify(payload)}`
      t.equal((await call(instance, 'alice', path, { method: 'POST', payload })).statusCode, 403, `user: ${label}`)
      t.equal((await call(instance, null, path, { method: 'POST', payload })).statusCode, 401, `anonymous: ${label}`)
    }
  }
  for (const payload of POISONED_BODIES) {
    const headers = { 'content-type': 'application/json' }
    const user = await call(instance, 'alice', '/admin/role', { method: 'POST', payload, headers })
    t.equal(user.statusCode, 400, `refused before rbac: ${payload}`)
    const root = await call(instance, 'root', '/admin/role', { method: 'POST', payload, headers })
    t.equal(root.statusCode, 400, 'for everyone')
  }
  t.equal(({} as Record<string, unknown>).role, undefined, 'no prototype was polluted by the bodies')
})

t.test('an API key identity never has roles, even if its record claims one', async (t) => {
  const instance = await app()
  const key = IDENTITIES['api-key-claiming-admin'] as Identity
  t.equal(key.claims?.role, 'admin', 'the record claims admin')
  t.equal((await call(instance, 'api-key-claiming-admin', '/admin/permission')).statusCode, 403)
  t.equal((await call(instance, 'api-key-claiming-admin', '/admin/role')).statusCode, 403)
  t.same(instance.rbac.rolesOf(key), [])
  t.notOk(instance.rbac.can(key, 'admin:access'))
})

t.test('role names that look like admin, or like object internals, grant nothing', async (t) => {
  const tricks: Record<string, Identity> = {
    case: identity('case', { role: 'Admin', roles: ['ADMIN', 'admin ', ' admin', 'admin\u0000', 'аdmin'] }),
    proto: identity('proto', { role: '__proto__', roles: ['constructor', 'toString', 'hasOwnProperty', 'valueOf'] }),
    nested: identity('nested', { role: { name: 'admin' }, roles: [['admin']] }),
    coerced: identity('coerced', { role: { toString: () => 'admin' }, roles: [{ valueOf: () => 'admin' }] }),
    spaced: identity('spaced', { roles: 'user admin' }),
    number: identity('number', { role: 1, roles: [0, true, null] }),
  }
  const instance = await build({}, {}, tricks)
  instance.get('/admin', ADMIN_ONLY, async () => 'admin')
  instance.get('/admin-role', ADMIN_ROLE, async () => 'admin')
  for (const name of Object.keys(tricks)) {
    const response = await call(instance, name, '/admin')
    t.equal(response.statusCode, 403, `${name}: 403, not 500 (the seed's UserRole(role) raised on unknown roles)`)
    t.equal((await call(instance, name, '/admin-role')).statusCode, 403, `${name} by role`)
    t.same(instance.rbac.rolesOf(tricks[name]), [], `${name} has no role`)
  }
})

t.test('a role claim inherited through the prototype of the claims is not read', async (t) => {
  const claims = Object.freeze(Object.create({ role: 'admin', roles: ['admin'] }) as Record<string, unknown>)
  const forged: Identity = Object.freeze({ id: 'sneaky', kind: 'user' as const, scopes: [], claims })
  const instance = await build({}, {}, { sneaky: forged })
  instance.get('/admin', ADMIN_ONLY, async () => 'admin')
  t.equal((await call(instance, 'sneaky', '/admin')).statusCode, 403)
})

t.test('a wildcard scope grants nothing unless wildcards are on', async (t) => {
  const star = { star: identity('star', { role: 'user' }, ['admin:*', '*', '*:*']) }
  const off = await build({}, {}, star)
  off.get('/admin', ADMIN_ONLY, async () => 'admin')
  t.equal((await call(off, 'star', '/admin')).statusCode, 403)
  const on = await build({ wildcards: true }, {}, star)
  on.get('/admin', ADMIN_ONLY, async () => 'admin')
  on.get('/users', { config: { rampart: { rbac: { permissions: ['delete:users'] } } } }, async () => 'users')
  t.equal((await call(on, 'star', '/admin')).statusCode, 200, 'admin:* covers admin:access')
  t.equal((await call(on, 'star', '/users')).statusCode, 403, 'a bare * or *:* covers nothing')
})

t.test('an identity changed after it was checked is not trusted from the cache', async (t) => {
  // A mutable identity (not built by the suite) is re-read every time: no stale grant survives.
  const mutable = {
    id: 'm',
    kind: 'user' as const,
    scopes: [] as string[],
    claims: { role: 'admin' } as Record<string, unknown>,
  }
  const instance = await build({}, {}, { m: mutable })
  instance.get('/admin', ADMIN_ONLY, async () => 'admin')
  t.equal((await call(instance, 'm', '/admin')).statusCode, 200)
  mutable.claims.role = 'user'
  t.equal((await call(instance, 'm', '/admin')).statusCode, 403, 'demoted at once')
})

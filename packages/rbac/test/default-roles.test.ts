import t from 'tap'
import { DEFAULT_ROLES, PERMISSIONS } from '../src/index.js'
import { build, call, IDENTITIES } from './fixtures/app.js'

// Seed 002, models/user.py: ROLE_PERMISSIONS, verbatim.
const SEED: Record<string, string[]> = {
  user: ['read:posts', 'write:posts'],
  moderator: ['read:posts', 'write:posts', 'delete:posts', 'read:users'],
  admin: ['read:users', 'write:users', 'delete:users', 'read:posts', 'write:posts', 'delete:posts', 'admin:access'],
}

t.test("the default map is the seed's ROLE_PERMISSIONS", async (t) => {
  t.same(DEFAULT_ROLES, SEED)
  t.same(Object.values(PERMISSIONS).sort(), [...new Set(Object.values(SEED).flat())].sort())
  t.ok(Object.isFrozen(DEFAULT_ROLES) && Object.isFrozen(DEFAULT_ROLES.admin), 'frozen: nobody edits the defaults')
})

t.test('each seed role gets exactly its permissions on routes that require one', async (t) => {
  const app = await build()
  for (const permission of Object.values(PERMISSIONS)) {
    app.get(
      `/p/${permission.replace(':', '-')}`,
      { config: { rampart: { rbac: { permissions: [permission] } } } },
      async () => 'ok',
    )
  }
  const as: Record<string, string> = { user: 'alice', moderator: 'morgan', admin: 'root' }
  for (const [role, granted] of Object.entries(SEED)) {
    for (const permission of Object.values(PERMISSIONS)) {
      const response = await call(app, as[role] as string, `/p/${permission.replace(':', '-')}`)
      t.equal(response.statusCode, granted.includes(permission) ? 200 : 403, `${role} ${permission}`)
    }
  }
  t.same(app.rbac.permissionsOf(IDENTITIES.root), [...SEED.admin!].sort())
})

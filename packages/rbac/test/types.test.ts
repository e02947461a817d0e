import type { Identity } from '@rampart/core'
import Fastify, { type FastifyReply } from 'fastify'
import t from 'tap'
import rampartRbac, {
  type DeniedEvent,
  type OwnershipGrant,
  type Rbac,
  type RbacGuard,
  type RbacOptions,
  type RbacRule,
  type RoleMap,
} from '../src/index.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const roles: RoleMap = { user: ['read:posts'], admin: { permissions: ['admin:access'], inherits: ['user'] } }
const good: RbacOptions = {
  roles,
  rolesOf: (identity: Identity) => identity.claims?.groups as string[] | undefined,
  useScopes: true,
  wildcards: false,
  pathRules: { '/api/admin': { permissions: ['admin:access'] }, '/staff': { roles: ['admin'], mode: 'any' } },
  hook: 'preHandler',
  exposeMissing: false,
  challenge: false,
}
// @ts-expect-error preParsing would read the refusal as the new body stream
const badHook: RbacOptions = { hook: 'preParsing' }
// @ts-expect-error a rule lists permissions or roles
const badRule: RbacRule = { mode: 'all' }
// @ts-expect-error mode is all or any
const badMode: RbacRule = { permissions: ['x'], mode: 'some' }
const reason = (event: DeniedEvent): 'unauthenticated' | 'forbidden' => event.reason

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  await app.register(rampartRbac, good)
  const rbac: Rbac = app.rbac
  const guard: RbacGuard = rbac.requirePermission('read:posts')
  app.get('/typed', { config: { rampart: { rbac: { permissions: ['read:posts'], mode: 'any' } } } }, async () => 'x')
  app.get('/off', { config: { rampart: { rbac: false } } }, async () => 'x')
  app.get('/guarded', { preHandler: guard }, async (request) => {
    const via: OwnershipGrant = rbac.assertOwnership(request, 1, { orPermission: ['read:posts'] })
    return via
  })
  const reply: FastifyReply | undefined = undefined
  t.equal((await app.inject('/typed')).statusCode, 401)
  t.equal((await app.inject('/off')).statusCode, 200)
  t.equal((await app.inject('/guarded')).statusCode, 401)
  t.ok(
    badHook && badRule && badMode && typeof reason === 'function' && reply === undefined,
    'the wrong values exist only for the compiler',
  )
})

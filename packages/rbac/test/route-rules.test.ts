import Fastify from 'fastify'
import t from 'tap'
import rampartRbac from '../src/index.js'
import { AS, build, call, IDENTITIES } from './fixtures/app.js'

t.test("permissions: 'all' by default, every one required", async (t) => {
  const app = await build()
  app.get('/both', { config: { rampart: { rbac: { permissions: ['read:users', 'delete:posts'] } } } }, async () => 'ok')
  t.equal((await call(app, 'morgan', '/both')).statusCode, 200, 'moderator has both')
  t.equal((await call(app, 'root', '/both')).statusCode, 200)
  t.equal((await call(app, 'alice', '/both')).statusCode, 403, 'user has neither')
  t.equal((await call(app, 'scoped-alice', '/both')).statusCode, 403, 'one of two is not enough')
})

t.test("mode 'any': one of them is enough", async (t) => {
  const app = await build()
  const rule = { permissions: ['admin:access', 'read:users'], mode: 'any' as const }
  app.get('/any', { config: { rampart: { rbac: rule } } }, async () => 'ok')
  t.equal((await call(app, 'morgan', '/any')).statusCode, 200, 'read:users')
  t.equal((await call(app, 'root', '/any')).statusCode, 200)
  t.equal((await call(app, 'scoped-alice', '/any')).statusCode, 200, 'admin:access from a scope')
  t.equal((await call(app, 'alice', '/any')).statusCode, 403)
})

t.test("roles: one of them by default, inherited roles included; mode 'all' needs each", async (t) => {
  const app = await build({
    roles: { user: ['read:posts'], moderator: { inherits: ['user'] }, admin: { inherits: ['moderator'] }, auditor: [] },
  })
  app.get('/staff', { config: { rampart: { rbac: { roles: ['moderator', 'auditor'] } } } }, async () => 'ok')
  app.get('/dual', { config: { rampart: { rbac: { roles: ['user', 'moderator'], mode: 'all' } } } }, async () => 'ok')
  t.equal((await call(app, 'morgan', '/staff')).statusCode, 200)
  t.equal((await call(app, 'root', '/staff')).statusCode, 200, 'admin inherits moderator')
  t.equal((await call(app, 'alice', '/staff')).statusCode, 403)
  t.equal((await call(app, 'both', '/dual')).statusCode, 200, 'has both roles')
  t.equal((await call(app, 'morgan', '/dual')).statusCode, 200, 'moderator inherits user')
  t.equal((await call(app, 'alice', '/dual')).statusCode, 403)
  t.equal((await call(app, 'scoped-alice', '/staff')).statusCode, 403, 'scopes are not roles')
})

t.test('routes without an rbac rule, and routes with false, are not checked', async (t) => {
  const app = await build()
  app.get('/open', async () => 'ok')
  app.get('/off', { config: { rampart: { rbac: false } } }, async () => 'ok')
  app.get('/other', { config: { rampart: {} } }, async () => 'ok')
  for (const url of ['/open', '/off', '/other']) {
    t.equal((await call(app, null, url)).statusCode, 200, `anonymous ${url}`)
    t.equal((await call(app, 'nobody', url)).statusCode, 200, `no roles ${url}`)
  }
  t.equal((await call(app, null, '/missing')).statusCode, 404, 'a 404 without path rules stays a 404')
})

t.test('routes added before the plugin get their rule on their first request', async (t) => {
  const app = Fastify()
  app.decorateRequest('identity', null)
  app.addHook('onRequest', async (request) => {
    const name = request.headers[AS]
    request.identity = typeof name === 'string' ? (IDENTITIES[name] ?? null) : null
  })
  app.get('/early', { config: { rampart: { rbac: { permissions: ['read:users'] } } } }, async () => 'ok')
  await app.register(rampartRbac)
  t.equal((await call(app, 'alice', '/early')).statusCode, 403)
  t.equal((await call(app, 'morgan', '/early')).statusCode, 200)
  t.equal((await call(app, null, '/early')).statusCode, 401)
})

t.test('rules work in encapsulated plugins and with route prefixes', async (t) => {
  const app = await build()
  await app.register(
    async (child) => {
      child.get('/users', { config: { rampart: { rbac: { permissions: ['read:users'] } } } }, async () => [])
    },
    { prefix: '/api' },
  )
  t.equal((await call(app, 'alice', '/api/users')).statusCode, 403)
  t.equal((await call(app, 'morgan', '/api/users')).statusCode, 200)
})

t.test('a duplicated permission in a rule is listed once', async (t) => {
  const app = await build({ exposeMissing: true })
  app.get(
    '/dup',
    { config: { rampart: { rbac: { permissions: ['admin:access', 'admin:access'] } } } },
    async () => 'ok',
  )
  t.same((await call(app, 'alice', '/dup')).json().missing, ['admin:access'])
})

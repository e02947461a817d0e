import t from 'tap'
import { build, call, identity } from './fixtures/app.js'

const ADMIN = { '/api/admin': { permissions: ['admin:access'] } }

t.test('a path rule covers every route under its prefix, and only those', async (t) => {
  const app = await build({ pathRules: ADMIN })
  app.get('/api/admin/stats', async () => 'stats')
  app.get('/api/admin/users/:id', async () => 'user')
  app.get('/api/administrator', async () => 'not under /api/admin')
  app.get('/api/users', async () => 'users')
  for (const url of ['/api/admin/stats', '/api/admin/users/7']) {
    t.equal((await call(app, 'root', url)).statusCode, 200, `admin ${url}`)
    t.equal((await call(app, 'morgan', url)).statusCode, 403, `moderator ${url}`)
    t.equal((await call(app, null, url)).statusCode, 401, `anonymous ${url}`)
  }
  t.equal((await call(app, null, '/api/administrator')).statusCode, 200, 'segment-aware')
  t.equal((await call(app, null, '/api/users')).statusCode, 200)
})

t.test('path spellings do not dodge a path rule', async (t) => {
  const app = await build(
    { pathRules: ADMIN },
    { routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true } },
  )
  app.get('/api/admin/stats', async () => 'stats')
  for (const url of [
    '/api/admin/stats/',
    '//api/admin/stats',
    '/api//admin/stats',
    '/API/Admin/stats',
    '/api/%61dmin/stats',
  ]) {
    const response = await call(app, 'alice', url)
    t.equal(response.statusCode, 403, url)
    t.equal((await call(app, 'root', url)).statusCode, 200, `admin ${url}`)
  }
})

t.test('a wildcard route serving a path under the prefix is covered by the request path', async (t) => {
  const app = await build({ pathRules: ADMIN })
  app.get('/api/*', async () => 'anything')
  t.equal((await call(app, 'alice', '/api/admin/secrets')).statusCode, 403)
  t.equal((await call(app, 'alice', '/api/x/../admin/secrets')).statusCode, 403, 'dot segments resolved')
  t.equal((await call(app, 'alice', '/api/public')).statusCode, 200)
  t.equal((await call(app, 'root', '/api/admin/secrets')).statusCode, 200)
})

t.test(
  "a 404 under the prefix is refused to those who may not see it, so admin routes' names do not leak",
  async (t) => {
    const app = await build({ pathRules: ADMIN })
    app.get('/api/admin/stats', async () => 'stats')
    t.equal((await call(app, null, '/api/admin/nope')).statusCode, 401)
    t.equal((await call(app, 'alice', '/api/admin/nope')).statusCode, 403)
    t.equal((await call(app, 'root', '/api/admin/nope')).statusCode, 404)
    t.equal((await call(app, 'alice', '/elsewhere')).statusCode, 404)
  },
)

t.test("a route's own rule adds to the path rule; false exempts the route", async (t) => {
  const app = await build(
    {
      pathRules: ADMIN,
      roles: { admin: ['admin:access'], auditor: ['read:audit'], boss: ['admin:access', 'read:audit'] },
    },
    {},
    {
      root: identity('root', { role: 'admin' }),
      auditor: identity('auditor', { role: 'auditor' }),
      boss: identity('boss', { role: 'boss' }),
    },
  )
  app.get('/api/admin/audit', { config: { rampart: { rbac: { permissions: ['read:audit'] } } } }, async () => 'log')
  app.get('/api/admin/ping', { config: { rampart: { rbac: false } } }, async () => 'pong')
  t.equal((await call(app, 'auditor', '/api/admin/audit')).statusCode, 403, 'read:audit alone is not enough')
  t.equal((await call(app, 'root', '/api/admin/audit')).statusCode, 403, 'admin:access alone is not enough')
  t.equal((await call(app, 'boss', '/api/admin/audit')).statusCode, 200)
  t.equal((await call(app, null, '/api/admin/ping')).statusCode, 200, 'exempt')
})

t.test('the longest prefix wins, and a rule applies once when pattern and path agree', async (t) => {
  const app = await build({
    exposeMissing: true,
    pathRules: { '/api': { permissions: ['read:posts'] }, '/api/users': { permissions: ['read:users'] } },
  })
  app.get('/api/users', async () => 'users')
  app.get('/api/posts', async () => 'posts')
  t.equal((await call(app, 'alice', '/api/posts')).statusCode, 200)
  const refused = await call(app, 'alice', '/api/users')
  t.equal(refused.statusCode, 403)
  t.same(refused.json().missing, ['read:users'])
  t.equal((await call(app, 'morgan', '/api/users')).statusCode, 200)
})

import Fastify from 'fastify'
import t from 'tap'
import rampartContentGuard, { DEFAULT_ROOT_LIMIT, DEFAULTS, resolveOptions } from '../src/index.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ limit: {} }, /option "limit" is not a known option/],
    [{ limits: [] }, /option "limits" must be an object/],
    [{ limits: { api: 10 } }, /option "limits\["api"\]" must match/],
    [{ limits: { '/api': -1 } }, /option "limits\["\/api"\]" must be >= 0/],
    [{ limits: { '/api': 1.5 } }, /option "limits\["\/api"\]" must be an integer/],
    [{ limits: { '/api': '10' } }, /option "limits\["\/api"\]" must be an integer/],
    [{ limits: { '/api': 10, '/api/': 20 } }, /option "limits\["\/api\/"\]" is the same prefix as "\/api"/],
    [{ allowedTypes: { POST: 'application/json' } }, /option "allowedTypes.POST" must be an array/],
    [{ allowedTypes: { POST: [] } }, /option "allowedTypes.POST" must list at least one media type/],
    [{ allowedTypes: { POST: ['json'] } }, /option "allowedTypes.POST\[0\]" must be a media type/],
    [{ allowedTypes: { POST: ['application/json; charset=utf-8'] } }, /allowedTypes.POST\[0\]" must be a media/],
    [{ allowedTypes: { POST: ['*/json'] } }, /option "allowedTypes.POST\[0\]" must be a media type/],
    [{ allowedTypes: { 'PO ST': ['a/b'] } }, /option "allowedTypes.PO ST" must match/],
    [{ allowedTypes: { post: ['a/b'], POST: ['a/c'] } }, /option "allowedTypes.POST" repeats the method POST/],
    [{ extendDefaults: 'yes' }, /option "extendDefaults" must be true or false/],
    [{ requireContentType: 1 }, /option "requireContentType" must be true or false/],
    [{ skipMethods: 'GET' }, /option "skipMethods" must be an array/],
    [{ skipMethods: ['G ET'] }, /option "skipMethods\[0\]" must match/],
    [{ rejectNullBytes: null }, /option "rejectNullBytes" must be true or false/],
    [{ adjustRouteBodyLimit: 'no' }, /option "adjustRouteBodyLimit" must be true or false/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartContentGuard, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_CONTENT_GUARD_INVALID_OPTION', message })
  }
})

t.test('bad per-route settings fail at route registration, naming the route', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ bodyLimit: -5 }, /contentGuard of route POST \/x: bodyLimit" must be >= 0/],
    [{ bodyLimit: '5' }, /contentGuard of route POST \/x: bodyLimit" must be an integer/],
    [{ allowedTypes: ['nope'] }, /contentGuard of route POST \/x: allowedTypes\[0\]" must be a media type/],
    [{ allowedTypes: [] }, /allowedTypes" must list at least one media type/],
    [{ limits: {} }, /contentGuard of route POST \/x.limits" is not a known option/],
    [true, /contentGuard of route POST \/x" must be an object/],
  ]
  for (const [contentGuard, message] of cases) {
    const app = Fastify()
    await app.register(rampartContentGuard)
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong settings
    const config = { rampart: { contentGuard: contentGuard as any } }
    await t.rejects(
      async () => {
        app.post('/x', { config }, async () => 'x')
        await app.ready()
      },
      { code: 'RAMPART_CONTENT_GUARD_INVALID_OPTION', message },
    )
  }
})

t.test('defaults are the seed values, frozen', async (t) => {
  t.ok(Object.isFrozen(DEFAULTS) && Object.isFrozen(DEFAULTS.limits) && Object.isFrozen(DEFAULTS.allowedTypes.POST))
  t.same(DEFAULTS.limits, {
    '/api/upload': 52428800,
    '/api/import': 10485760,
    '/api/': 1048576,
    '/webhook': 262144,
    '/graphql': 102400,
    '/': 65536,
  })
  t.same(DEFAULTS.skipMethods, ['GET', 'HEAD', 'OPTIONS'])
  t.same(Object.keys(DEFAULTS.allowedTypes), ['POST', 'PUT', 'PATCH'])
})

t.test('resolveOptions: normalised prefixes, a root always present, methods upper-cased', async (t) => {
  const resolved = resolveOptions({
    limits: { '/api/': 10, '//api': 10, '/b/./c/': 5 },
    allowedTypes: { put: ['A/B'] },
  })
  t.same(resolved.limits, [
    ['/api', 10],
    ['/b/c', 5],
    ['/', DEFAULT_ROOT_LIMIT],
  ])
  t.same(resolved.allowedTypes, { PUT: ['a/b'] })
  t.ok(Object.isFrozen(resolved) && Object.isFrozen(resolved.limits))
  t.same(resolveOptions({ allowedTypes: { POST: false } }).allowedTypes, {})
})

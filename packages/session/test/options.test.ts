import Fastify from 'fastify'
import t from 'tap'
import rampartSession, { DEFAULTS, MemorySessionStore, resolveOptions } from '../src/index.js'

t.test('defaults', async (t) => {
  const settings = resolveOptions()
  t.equal(settings.secure, false)
  t.equal(settings.cookieName, 'sid')
  t.equal(settings.sameSite, 'lax')
  t.equal(settings.idleTimeout, 30 * 60_000)
  t.equal(settings.absoluteTimeout, 12 * 3_600_000)
  t.equal(settings.touchInterval, 60_000)
  t.equal(settings.bindUserAgent, false)
  t.equal(settings.autoLoad, false)
  t.same(settings.store, { kind: 'memory', maxSessions: DEFAULTS.maxSessions })
  t.ok(Object.isFrozen(settings))

  const production = resolveOptions({ production: true })
  t.equal(production.secure, true)
  t.equal(production.cookieName, '__Host-sid')
  t.equal(resolveOptions({ production: true, secure: false }).cookieName, 'sid', 'an explicit secure: false wins')
  t.equal(resolveOptions({ secure: true, cookieName: 'app' }).cookieName, 'app')
  t.equal(resolveOptions({ idleTimeout: 120 }).touchInterval, 30_000, 'a quarter of a short idle timeout')
  t.equal(resolveOptions({ redis: 'redis://127.0.0.1:6379' }).store.kind, 'redis')
  t.equal(resolveOptions({ store: new MemorySessionStore() }).store.kind, 'custom')
})

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ secure: 'yes' }, /option "secure" must be true or false/],
    [{ production: 1 }, /option "production" must be true or false/],
    [{ cookieName: 'a b' }, /option "cookieName" must match/],
    [{ cookieName: 'a;b' }, /option "cookieName" must match/],
    [{ cookieName: '' }, /option "cookieName" must not be empty/],
    [{ cookieName: '__Host-sid' }, /option "cookieName" has a __Host- or __Secure- prefix/],
    [{ cookieName: '__Secure-sid', secure: false }, /option "cookieName" has a __Host- or __Secure- prefix/],
    [{ sameSite: 'none' }, /option "sameSite" must be one of "lax", "strict"/],
    [{ sameSite: 'Lax' }, /option "sameSite" must be one of/],
    [{ idleTimeout: 0 }, /option "idleTimeout" must be >= 1/],
    [{ idleTimeout: 1.5 }, /option "idleTimeout" must be an integer/],
    [{ absoluteTimeout: 400 * 86_400 + 1 }, /option "absoluteTimeout" must be <= 34560000/],
    [{ idleTimeout: 3600, absoluteTimeout: 600 }, /option "absoluteTimeout" must be >= idleTimeout \(3600\)/],
    [{ idleTimeout: 60, touchInterval: 60 }, /option "touchInterval" must be <= 59/],
    [{ touchInterval: -1 }, /option "touchInterval" must be >= 0/],
    [{ bindUserAgent: 'true' }, /option "bindUserAgent" must be true or false/],
    [{ autoLoad: 'no' }, /option "autoLoad" must be true or false/],
    [{ persistent: 0 }, /option "persistent" must be true or false/],
    [{ maxDataBytes: 10 }, /option "maxDataBytes" must be >= 64/],
    [{ store: {} }, /option "store.get" must be a function/],
    [{ store: new MemorySessionStore(), redis: 'redis://x' }, /option "store" and `redis` exclude each other/],
    [{ redis: 'http://localhost' }, /option "redis.url" must match/],
    [{ redis: 42 }, /option "redis" must be an object/],
    [{ prefix: 'x' }, /option "prefix" is only used with `redis`/],
    [{ redis: 'redis://127.0.0.1:6379', prefix: 'has space' }, /option "prefix" must match/],
    [{ redis: 'redis://127.0.0.1:6379', maxSessions: 5 }, /option "maxSessions" bounds the memory store only/],
    [{ maxSessions: 0 }, /option "maxSessions" must be >= 1/],
    [{ now: 5 }, /option "now" must be a function/],
    [{ idleTimout: 5 }, /option "idleTimout" is not a known option/],
    ['sid', /option "" must be an object/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartSession, options as any)
    await t.rejects(
      async () => app.ready(),
      { code: 'RAMPART_SESSION_INVALID_OPTION', message },
      JSON.stringify(options),
    )
  }
})

t.test('the plugin cannot be registered twice on one app', async (t) => {
  const app = Fastify()
  app.register(rampartSession)
  app.register(rampartSession)
  await t.rejects(async () => app.ready())
})

t.test('a route whose config.rampart.session is not a boolean fails to register', async (t) => {
  const app = Fastify()
  await app.register(rampartSession)
  t.teardown(() => app.close())
  t.throws(
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong route config
    () => app.get('/bad', { config: { rampart: { session: 'yes' as any } } }, async () => 'no'),
    { code: 'RAMPART_SESSION_INVALID_ROUTE_OPTION', message: /route \/bad/ },
  )
})

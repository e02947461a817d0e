import Fastify from 'fastify'
import t from 'tap'
import { perRouteSettings, type RampartRouteConfig, resolvePerRoute, routeSettings } from '../src/index.js'

declare module '../src/index.js' {
  interface RampartRouteConfig {
    example?: { value: number } | false
  }
}

t.test('per-route settings are resolved once per route and read per request', async (t) => {
  const key = Symbol('example')
  const app = Fastify()
  let resolutions = 0
  resolvePerRoute(app, key, (_route, rampart: RampartRouteConfig | undefined) => {
    resolutions++
    const example = rampart?.example
    return example === false ? 'off' : (example?.value ?? 'global')
  })
  app.get('/a', { config: { rampart: { example: { value: 3 } } } }, async (request) => ({
    v: routeSettings(request, key),
  }))
  app.get('/b', { config: { rampart: { example: false } } }, async (request) => ({ v: routeSettings(request, key) }))
  app.get('/c', async (request) => ({ v: routeSettings(request, key) }))
  app.setNotFoundHandler(async (request) => ({ v: routeSettings(request, key) ?? 'none' }))
  t.same((await app.inject('/a')).json(), { v: 3 })
  t.same((await app.inject('/a')).json(), { v: 3 })
  t.same((await app.inject('/b')).json(), { v: 'off' })
  t.same((await app.inject('/c')).json(), { v: 'global' })
  t.same((await app.inject('/zzz')).json(), { v: 'none' })
  t.ok(resolutions >= 3 && resolutions <= 6, 'resolved per route (GET and HEAD), not per request')
})

t.test('perRouteSettings also covers 404s and routes registered before the plugin', async (t) => {
  const app = Fastify()
  app.get('/early', { config: { rampart: { example: { value: 7 } } } }, async (request) => ({ v: lookup(request) }))
  let resolutions = 0
  const lookup = perRouteSettings<number | string>(
    app,
    Symbol('example'),
    (_route, rampart) => {
      resolutions++
      const example = rampart?.example
      return example === false ? 'off' : (example?.value ?? 'global')
    },
    'not found',
  )
  app.get('/late', async (request) => ({ v: lookup(request) }))
  app.setNotFoundHandler(async (request) => ({ v: lookup(request) }))
  t.same((await app.inject('/early')).json(), { v: 7 })
  t.same((await app.inject('/early')).json(), { v: 7 })
  t.same((await app.inject('/late')).json(), { v: 'global' })
  t.same((await app.inject('/nope')).json(), { v: 'not found' })
  const before = resolutions
  await app.inject('/early')
  t.equal(resolutions, before, 'an early route is resolved once, then remembered')
})

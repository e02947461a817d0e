import Fastify from 'fastify'
import t from 'tap'
import { type RampartRouteConfig, resolvePerRoute, routeSettings } from '../src/index.js'

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

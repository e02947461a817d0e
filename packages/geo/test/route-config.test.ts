import Fastify from 'fastify'
import t from 'tap'
import rampartGeo from '../src/index.js'
import { ADDRESS, build, from, REAL_DATABASE } from './fixtures/app.js'

t.test('config.rampart.geo: false turns the plugin off for a route; request.country still works', async (t) => {
  const app = await build({ blockedCountries: ['RU'] }, (app) => {
    app.register(async (scope) => {
      scope.get('/open', { config: { rampart: { geo: false } } }, async (request) => ({ country: request.country }))
    })
  })
  const response = await from(app, ADDRESS.RU, {}, '/open')
  t.equal(response.statusCode, 200)
  t.same(response.json(), { country: 'RU' }, 'looked up on read')
  t.equal((await from(app, ADDRESS.RU)).statusCode, 403, 'other routes keep the rules')
})

t.test('a route object replaces the global rules it names and keeps the others', async (t) => {
  const app = await build({ blockedCountries: ['RU'], privateAddresses: 'deny' })
  app.get('/us-only', { config: { rampart: { geo: { allowedCountries: ['us'] } } } }, async () => 'ok')
  app.get('/no-lists', { config: { rampart: { geo: { blockedCountries: [] } } } }, async () => 'ok')
  app.get('/as-global', { config: { rampart: { geo: {} } } }, async () => 'ok')
  // /us-only: allow [US] and the global block [RU]
  t.equal((await from(app, ADDRESS.US, {}, '/us-only')).statusCode, 200)
  t.equal((await from(app, ADDRESS.GB, {}, '/us-only')).statusCode, 403)
  t.equal((await from(app, ADDRESS.RU, {}, '/us-only')).statusCode, 403)
  t.equal((await from(app, ADDRESS.UNKNOWN, {}, '/us-only')).statusCode, 403, 'unknown follows the route allow list')
  t.equal((await from(app, '10.1.1.1', {}, '/us-only')).statusCode, 403, 'privateAddresses kept from the options')
  // /no-lists: the block list is emptied
  t.equal((await from(app, ADDRESS.RU, {}, '/no-lists')).statusCode, 200)
  t.equal((await from(app, '10.1.1.1', {}, '/no-lists')).statusCode, 403)
  // {}: as global
  t.equal((await from(app, ADDRESS.RU, {}, '/as-global')).statusCode, 403)
  t.equal((await from(app, ADDRESS.GB, {}, '/as-global')).statusCode, 200)
})

t.test('a route can refuse what the global rules let through', async (t) => {
  const app = await build()
  app.get('/strict', { config: { rampart: { geo: { blockedCountries: ['NL'], unknownCountry: 'deny' } } } }, () => 'ok')
  t.equal((await from(app, ADDRESS.NL)).statusCode, 200)
  t.equal((await from(app, ADDRESS.NL, {}, '/strict')).statusCode, 403)
  t.equal((await from(app, ADDRESS.UNKNOWN, {}, '/strict')).statusCode, 403)
  t.equal((await from(app, ADDRESS.US, {}, '/strict')).statusCode, 200)
})

t.test('routes registered before the plugin and 404s get the global rules', async (t) => {
  const app = Fastify()
  app.get('/early', async () => 'ok')
  app.get('/early-off', { config: { rampart: { geo: false } } }, async () => 'ok')
  await app.register(rampartGeo, { database: REAL_DATABASE, watch: false, blockedCountries: ['RU'] })
  t.equal((await from(app, ADDRESS.RU, {}, '/early')).statusCode, 403)
  t.equal((await from(app, ADDRESS.RU, {}, '/early-off')).statusCode, 200)
  t.equal((await from(app, ADDRESS.RU, {}, '/missing')).statusCode, 403, 'a 404 is refused like any route')
  t.equal((await from(app, ADDRESS.US, {}, '/missing')).statusCode, 404)
})

t.test('exemptPaths are never refused, however the path is spelt', async (t) => {
  const app = await build({ allowedCountries: ['US'], exemptPaths: ['/health'] })
  for (const url of ['/health', '//health', '/health/', '/%68ealth', '/api/../health', '/health?x=1']) {
    const response = await from(app, ADDRESS.RU, {}, url)
    t.not(response.statusCode, 403, url)
  }
  const health = await from(app, ADDRESS.RU, {}, '/health')
  t.same(health.json(), { status: 'ok', country: 'RU' }, 'the country is still available')
  t.equal((await from(app, ADDRESS.RU, {}, '/healthz')).statusCode, 403, 'prefixes are segment-aware')
  t.equal((await from(app, ADDRESS.RU, {}, '/api/health')).statusCode, 403)
})

t.test('a bad route config fails when the route is added, naming the route', async (t) => {
  const cases: [unknown, RegExp][] = [
    [
      { allowedCountries: ['UK'] },
      /"GET \/bad: config\.rampart\.geo\.allowedCountries\[0\]" is not an ISO 3166-1 alpha-2 code; did you mean "GB"\?/,
    ],
    [{ lookupErrors: 'maybe' }, /"GET \/bad: config\.rampart\.geo\.lookupErrors" must be one of "allow", "deny"/],
    [{ exemptPaths: ['/x'] }, /"GET \/bad: config\.rampart\.geo\.exemptPaths" is not a known option/],
    ['yes', /"GET \/bad: config\.rampart\.geo" must be an object/],
  ]
  for (const [geo, message] of cases) {
    const app = await build()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong config
    t.throws(() => app.get('/bad', { config: { rampart: { geo: geo as any } } }, async () => 'ok'), {
      code: 'RAMPART_GEO_INVALID_OPTION',
      message,
    })
  }
})

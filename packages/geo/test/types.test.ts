import Fastify from 'fastify'
import t from 'tap'
import rampartGeo, {
  type BlockedEvent,
  bundledDatabasePath,
  type DatabaseInfo,
  type GeoLookup,
  type GeoOptions,
  type GeoRouteOptions,
  geoLookup,
  type ReloadFailedEvent,
} from '../src/index.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const good: GeoOptions = {
  database: bundledDatabasePath(),
  allowedCountries: ['US', 'GB'],
  blockedCountries: ['RU'],
  privateAddresses: 'allow',
  unknownCountry: 'deny',
  lookupErrors: 'allow',
  exemptPaths: ['/health'],
  watch: true,
  watchInterval: 2000,
  reloadDelay: 500,
}
// @ts-expect-error the database is required
const noDatabase: GeoOptions = { allowedCountries: ['US'] }
// @ts-expect-error decisions are 'allow' or 'deny'
const badDecision: GeoOptions = { database: 'x.mmdb', privateAddresses: 'block' }
// @ts-expect-error the database and the watcher are the plugin's, not a route's
const badRoute: GeoRouteOptions = { database: 'x.mmdb' }
const reasonOf = (event: BlockedEvent): 'blocked-country' | 'not-allowed-country' | string => event.reason
const failureOf = (event: ReloadFailedEvent): string => event.error.message
const builtOf = (info: DatabaseInfo): number => info.buildEpoch.getTime()

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  await app.register(rampartGeo, { database: bundledDatabasePath(), watch: false, blockedCountries: ['RU'] })
  app.get('/typed', { config: { rampart: { geo: { allowedCountries: ['US'] } } } }, async (request) => {
    const country: string | null = request.country
    const lookup: GeoLookup = geoLookup(request)
    return { country, status: lookup.status }
  })
  app.get('/off', { config: { rampart: { geo: false } } }, async () => 'ok')
  const response = await app.inject({ url: '/typed', remoteAddress: '8.8.8.8' })
  t.same(response.json(), { country: 'US', status: 'found' })
  t.ok(good && noDatabase && badDecision && badRoute, 'the wrong values exist only for the compiler')
  t.same([typeof reasonOf, typeof failureOf, typeof builtOf], ['function', 'function', 'function'])
})

import t from 'tap'
import { type LookupFailedEvent, lookupFailedChannel } from '../src/index.js'
import { build, from } from './fixtures/app.js'
import {
  BROKEN_ADDRESS,
  flatCountry,
  geoLite2Country,
  ipv4Only,
  noProbeHits,
  writeDatabase,
} from './fixtures/databases.js'

t.test('GeoLite2 records: country.iso_code, else registered_country, upper-cased', async (t) => {
  const database = writeDatabase(t.testdir(), 'GeoLite2-Country.mmdb', geoLite2Country('FR'))
  const app = await build({ database, blockedCountries: ['FR'] })
  t.equal((await from(app, '8.8.8.8')).statusCode, 403)
  t.equal((await from(app, '8.8.8.8')).json().country, 'FR')
  const cases: [string, string | null, string][] = [
    ['1.1.1.1', 'DE', 'found'],
    ['81.2.69.142', 'GB', 'found'],
    ['2001:4860:4860::8888', 'JP', 'found'],
    ['5.255.255.5', null, 'unknown'],
    ['9.9.9.9', null, 'unknown'],
  ]
  for (const [ip, country, status] of cases) {
    t.same((await from(app, ip)).json().lookup, { ip, country, status }, ip)
  }
})

t.test('flat records (ip-location-db): country_code', async (t) => {
  const database = writeDatabase(t.testdir(), 'flat.mmdb', flatCountry('US'))
  const app = await build({ database, allowedCountries: ['JP'] })
  t.equal((await from(app, '2001:4860::1')).statusCode, 200)
  const refused = await from(app, '8.8.8.8')
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().country, 'US')
})

t.test('a database no probe address is in: each record is read both ways', async (t) => {
  const database = writeDatabase(t.testdir(), 'custom.mmdb', noProbeHits())
  const app = await build({ database })
  t.equal((await from(app, '44.1.2.3')).json().country, 'SE')
  t.equal((await from(app, '45.1.2.3')).json().country, 'NO')
})

t.test('an IPv4-only database gives IPv6 clients no country instead of a wrong one', async (t) => {
  const database = writeDatabase(t.testdir(), 'v4.mmdb', ipv4Only())
  const app = await build({ database, allowedCountries: ['US'] })
  t.equal((await from(app, '8.8.8.8')).statusCode, 200)
  const v6 = await from(app, '2001:4860::1')
  t.equal(v6.statusCode, 403)
  t.equal(v6.json().detail, 'Access from addresses whose country is unknown is not allowed')
})

t.test('a lookup that throws: lookupErrors decides, an event is published', async (t) => {
  const database = writeDatabase(t.testdir(), 'broken.mmdb', geoLite2Country())
  const events: LookupFailedEvent[] = []
  t.teardown(lookupFailedChannel.subscribe((event) => events.push(event)))

  const closed = await build({ database, blockedCountries: ['RU'] })
  const refused = await from(closed, BROKEN_ADDRESS)
  t.equal(refused.statusCode, 403, 'fail closed by default')
  t.match(refused.json(), { country: null, detail: 'The country of the client address could not be determined' })
  t.equal(events.length, 1)
  t.equal(events[0]?.ip, BROKEN_ADDRESS)
  t.type(events[0]?.error, Error)

  const open = await build({ database, blockedCountries: ['RU'], lookupErrors: 'allow' })
  const passed = await from(open, BROKEN_ADDRESS)
  t.equal(passed.statusCode, 200)
  t.same(passed.json().lookup, { ip: BROKEN_ADDRESS, country: null, status: 'error' })
  t.equal(events.length, 2, 'memoised: one event per request although the route read it again')
})

t.test('no rule, no lookup: the hook does not look up a client it cannot refuse', async (t) => {
  const database = writeDatabase(t.testdir(), 'broken.mmdb', geoLite2Country())
  const events: string[] = []
  t.teardown(lookupFailedChannel.subscribe((event) => events.push(event.request.url)))
  // lookupErrors: deny alone cannot refuse anyone: without a list, the country does not matter.
  const app = await build({ database, lookupErrors: 'deny' })
  app.get('/quiet', async () => 'ok')
  const response = await from(app, BROKEN_ADDRESS, {}, '/quiet')
  t.equal(response.statusCode, 200)
  t.same(events, [], 'never looked up')
  t.equal((await from(app, BROKEN_ADDRESS, {}, '/reads')).statusCode, 200, 'the echo route reads request.country')
  t.same(events, ['/reads'])
})

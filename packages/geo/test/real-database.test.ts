import { refusalChannel } from '@rampart/core'
import t from 'tap'
import { type BlockedEvent, blockedChannel, geoLookup } from '../src/index.js'
import { ADDRESS, build, from } from './fixtures/app.js'

t.test('a blocked country gets 403 problem+json; others pass and carry their country', async (t) => {
  const app = await build({ blockedCountries: ['RU'] })
  const refused = await from(app, ADDRESS.RU)
  t.equal(refused.statusCode, 403)
  t.match(refused.headers['content-type'], /^application\/problem\+json/)
  t.match(refused.json(), {
    type: 'https://rampart.dev/problems/geo/blocked',
    title: 'Forbidden',
    status: 403,
    code: 'RAMPART_GEO_BLOCKED',
    detail: 'Access from RU is not allowed',
    country: 'RU',
  })
  for (const [ip, country] of [
    [ADDRESS.US, 'US'],
    [ADDRESS.US6, 'US'],
    [ADDRESS.GB, 'GB'],
    [ADDRESS.AU, 'AU'],
  ] as const) {
    const response = await from(app, ip)
    t.equal(response.statusCode, 200, ip)
    t.same(response.json(), { country, lookup: { ip, country, status: 'found' } }, ip)
  }
})

t.test('an allow list lets only its countries through; codes are upper-cased', async (t) => {
  const app = await build({ allowedCountries: ['us', 'Gb'] })
  t.equal((await from(app, ADDRESS.US)).statusCode, 200)
  t.equal((await from(app, ADDRESS.US6)).statusCode, 200, 'IPv6 too')
  t.equal((await from(app, ADDRESS.GB)).statusCode, 200)
  for (const [ip, country] of [
    [ADDRESS.AU, 'AU'],
    [ADDRESS.NL, 'NL'],
    [ADDRESS.IE6, 'IE'],
  ] as const) {
    const response = await from(app, ip)
    t.equal(response.statusCode, 403, ip)
    t.equal(response.json().detail, `Access from ${country} is not allowed`)
    t.equal(response.json().country, country)
  }
})

t.test('both lists: a country in both is blocked (blocked wins)', async (t) => {
  const app = await build({ allowedCountries: ['US', 'GB'], blockedCountries: ['GB'] })
  const events: BlockedEvent[] = []
  t.teardown(blockedChannel.subscribe((event) => events.push(event)))
  t.equal((await from(app, ADDRESS.US)).statusCode, 200)
  t.equal((await from(app, ADDRESS.GB)).statusCode, 403)
  t.equal((await from(app, ADDRESS.AU)).statusCode, 403)
  t.same(
    events.map(({ country, ip, reason }) => ({ country, ip, reason })),
    [
      { country: 'GB', ip: ADDRESS.GB, reason: 'blocked-country' },
      { country: 'AU', ip: ADDRESS.AU, reason: 'not-allowed-country' },
    ],
  )
  t.equal(events[0]?.request.url, '/api/x', 'the event carries the request')
})

t.test('private and reserved addresses have no country, whatever the database says', async (t) => {
  // This database places 192.168.0.0/16 in AU and 2001:db8::/32 in JP: they must not be looked up.
  const app = await build({ blockedCountries: ['AU', 'JP'] })
  for (const ip of [
    '192.168.1.1',
    '10.0.0.1',
    '172.16.5.4',
    '127.0.0.1',
    '100.64.0.1',
    '169.254.1.1',
    '198.18.0.1',
    '203.0.113.9',
    '::1',
    '2001:db8::1',
    'fd00::1',
    'fe80::1',
  ]) {
    const response = await from(app, ip)
    t.equal(response.statusCode, 200, ip)
    t.same(response.json(), { country: null, lookup: { ip, country: null, status: 'private' } }, ip)
  }
})

t.test('privateAddresses: deny refuses them', async (t) => {
  const app = await build({ privateAddresses: 'deny' })
  const response = await from(app, '192.168.1.1')
  t.equal(response.statusCode, 403)
  t.match(response.json(), { country: null, detail: 'Access from private or reserved addresses is not allowed' })
  t.equal((await from(app, ADDRESS.AU)).statusCode, 200, 'public addresses pass: no list is set')
})

t.test('an allow list admits private addresses by default (health checks, local development)', async (t) => {
  const app = await build({ allowedCountries: ['US'] })
  t.equal((await from(app, '127.0.0.1')).statusCode, 200)
  t.equal((await from(app, '::1')).statusCode, 200)
})

t.test(
  'an unknown country: refused by an allow list, passed by a block list, unless unknownCountry says',
  async (t) => {
    const cases: [Record<string, unknown>, number][] = [
      [{ allowedCountries: ['US'] }, 403],
      [{ blockedCountries: ['RU'] }, 200],
      [{}, 200],
      [{ allowedCountries: ['US'], unknownCountry: 'allow' }, 200],
      [{ blockedCountries: ['RU'], unknownCountry: 'deny' }, 403],
      [{ unknownCountry: 'deny' }, 403],
    ]
    for (const [options, status] of cases) {
      const app = await build(options)
      const response = await from(app, ADDRESS.UNKNOWN)
      t.equal(response.statusCode, status, JSON.stringify(options))
      if (status === 403) {
        t.match(response.json(), {
          code: 'RAMPART_GEO_BLOCKED',
          country: null,
          detail: 'Access from addresses whose country is unknown is not allowed',
        })
      } else {
        t.same(response.json().lookup, { ip: ADDRESS.UNKNOWN, country: null, status: 'unknown' })
      }
    }
  },
)

t.test('IPv4-mapped IPv6 peers are looked up as IPv4', async (t) => {
  const app = await build({ blockedCountries: ['RU'] })
  t.equal((await from(app, `::ffff:${ADDRESS.RU}`)).statusCode, 403)
  t.equal((await from(app, `::ffff:${ADDRESS.US}`)).json().country, 'US')
})

t.test('every refusal is published on rampart:core:refusal', async (t) => {
  const app = await build({ blockedCountries: ['RU'] })
  const codes: string[] = []
  t.teardown(refusalChannel.subscribe((event) => codes.push(`${event.source} ${event.status} ${event.code}`)))
  await from(app, ADDRESS.RU)
  await from(app, ADDRESS.US)
  t.same(codes, ['geo 403 RAMPART_GEO_BLOCKED'])
})

t.test('request.country is there for later hooks and handlers; the lookup is memoised', async (t) => {
  const seen: unknown[] = []
  const app = await build({ blockedCountries: ['RU'] }, (app) => {
    app.addHook('preHandler', async (request) => {
      const first = geoLookup(request)
      seen.push(request.country, first === geoLookup(request))
    })
  })
  const response = await from(app, ADDRESS.NL)
  t.equal(response.json().country, 'NL')
  t.same(seen, ['NL', true])
})

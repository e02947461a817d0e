import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import rampartGeo, { COUNTRY_CODES, DEFAULTS, resolveOptions } from '../src/index.js'
import { REAL_DATABASE } from './fixtures/app.js'
import { asnDatabase, writeDatabase } from './fixtures/databases.js'

async function registerFails(t: Test, options: unknown, code: string, message: RegExp): Promise<void> {
  const app = Fastify()
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
  app.register(rampartGeo, options as any)
  await t.rejects(async () => app.ready(), { code, message }, JSON.stringify(options))
  await app.close()
}

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const database = REAL_DATABASE
  const cases: [unknown, RegExp][] = [
    [{}, /option "database" is required/],
    [{ database: '' }, /option "database" must not be empty/],
    [{ database: 42 }, /option "database" must be a string \(got 42\)/],
    [{ database, allowedCountries: 'US' }, /option "allowedCountries" must be an array of strings/],
    [
      { database, allowedCountries: ['US', 'UK'] },
      /option "allowedCountries\[1\]" is not an ISO 3166-1 alpha-2 code; did you mean "GB"\? \(got "UK"\)/,
    ],
    [
      { database, blockedCountries: ['USA'] },
      /option "blockedCountries\[0\]" must be an ISO 3166-1 alpha-2 country code \(two letters\)/,
    ],
    [
      { database, blockedCountries: ['ZZ'] },
      /option "blockedCountries\[0\]" is not an assigned ISO 3166-1 alpha-2 country code/,
    ],
    [{ database, blockedCountries: [''] }, /option "blockedCountries\[0\]" must be a non-empty string/],
    [{ database, privateAddresses: 'block' }, /option "privateAddresses" must be one of "allow", "deny"/],
    [{ database, unknownCountry: true }, /option "unknownCountry" must be one of "allow", "deny"/],
    [{ database, lookupErrors: null }, /option "lookupErrors" must be one of "allow", "deny"/],
    [{ database, exemptPaths: '/health' }, /option "exemptPaths" must be an array of strings/],
    [{ database, watch: 'yes' }, /option "watch" must be true or false/],
    [{ database, watchInterval: 5 }, /option "watchInterval" must be >= 10/],
    [{ database, reloadDelay: 1.5 }, /option "reloadDelay" must be an integer/],
    [{ database, blockedCountry: ['RU'] }, /option "blockedCountry" is not a known option/],
  ]
  for (const [options, message] of cases) await registerFails(t, options, 'RAMPART_GEO_INVALID_OPTION', message)
})

t.test('a database that cannot be opened fails register, naming database and why', async (t) => {
  const dir = t.testdir()
  const text = join(dir, 'readme.txt')
  writeFileSync(text, 'not a database\n')
  const cases: [string, RegExp][] = [
    [join(dir, 'missing.mmdb'), /option "database" cannot be opened as a MaxMind-format country database: ENOENT/],
    [dir, /option "database" cannot be opened .*EISDIR/],
    [text, /option "database" cannot be opened .*not a MaxMind DB file, or a damaged one/],
    [
      writeDatabase(dir, 'asn.mmdb', asnDatabase()),
      /option "database" cannot be opened .*its records carry no country \(neither country\.iso_code nor country_code\)/,
    ],
  ]
  for (const [database, message] of cases) {
    await registerFails(t, { database }, 'RAMPART_GEO_INVALID_OPTION', message)
  }
})

t.test('defaults, and lists normalised: upper case, no duplicates, relative paths made absolute', async (t) => {
  const resolved = resolveOptions({
    database: 'some/relative.mmdb',
    allowedCountries: ['us', ' gb ', 'US', 'xk'],
    blockedCountries: ['ru'],
  })
  t.equal(resolved.database, join(process.cwd(), 'some/relative.mmdb'))
  t.same(resolved.allowedCountries, ['US', 'GB', 'XK'])
  t.same(resolved.blockedCountries, ['RU'])
  t.equal(resolved.privateAddresses, 'allow')
  t.equal(resolved.unknownCountry, undefined, 'decided by the lists')
  t.equal(resolved.lookupErrors, 'deny')
  t.same(resolved.exemptPaths, [])
  t.equal(resolved.watch, true)
  t.equal(resolved.watchInterval, DEFAULTS.watchInterval)
  t.equal(resolved.reloadDelay, DEFAULTS.reloadDelay)
  t.ok(Object.isFrozen(resolved))
  t.equal(COUNTRY_CODES.size, 250, '249 assigned codes and XK')
})

t.test('registering twice, or over another request.country, fails with a coded error', async (t) => {
  const twice = Fastify()
  twice.register(rampartGeo, { database: REAL_DATABASE, watch: false })
  twice.register(async (child) => {
    await child.register(rampartGeo, { database: REAL_DATABASE, watch: false })
  })
  await t.rejects(async () => twice.ready(), { code: 'RAMPART_GEO_ALREADY_REGISTERED' })

  const other = Fastify()
  other.decorateRequest('country', null)
  other.register(rampartGeo, { database: REAL_DATABASE, watch: false })
  await t.rejects(async () => other.ready(), { code: 'RAMPART_GEO_ALREADY_REGISTERED' })
})

t.test('geoLookup on an app without the plugin says so', async (t) => {
  const { geoLookup } = await import('../src/index.js')
  const app = Fastify()
  app.get('/', async (request) => geoLookup(request))
  const response = await app.inject('/')
  t.equal(response.statusCode, 500)
  t.equal(response.json().code, 'RAMPART_GEO_NOT_REGISTERED')
})

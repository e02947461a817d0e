import { copyFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { healthChecks } from '@rampart/core'
import t from 'tap'
import { reloadedChannel, reloadFailedChannel } from '../src/index.js'
import { ADDRESS, build, from, REAL_DATABASE } from './fixtures/app.js'
import { asnDatabase, geoLite2Country } from './fixtures/databases.js'
import { alive, nextEvent, until } from './fixtures/events.js'

const FAST = { watch: true, watchInterval: 20, reloadDelay: 20 }

t.test('a changed file is served without a restart; a bad one is refused and the old one kept', async (t) => {
  const dir = t.testdir()
  const database = join(dir, 'country.mmdb')
  copyFileSync(REAL_DATABASE, database)
  const app = await build({ ...FAST, database, blockedCountries: ['FR'] })
  t.teardown(() => app.close())
  await app.ready()
  const health = healthChecks(app).get('geo:database')
  if (health === undefined) throw new Error('no health check registered')
  t.equal((await from(app, ADDRESS.US)).json().country, 'US')
  t.match(await health(), { status: 'healthy', detail: { path: database, format: 'flat' } })

  // An atomic replace (write beside it, rename over it), in another record format.
  const reloaded = nextEvent(reloadedChannel, (event) => event.path === database)
  writeFileSync(join(dir, 'next.mmdb'), geoLite2Country('FR'))
  renameSync(join(dir, 'next.mmdb'), database)
  t.match(await reloaded, { path: database, databaseType: 'GeoLite2-Country', format: 'geoip2' })
  const moved = await from(app, ADDRESS.US)
  t.equal(moved.statusCode, 403, 'the new database places 8.8.8.8 in FR, which is blocked')
  t.equal(moved.json().country, 'FR')

  // Garbage written in place: refused, the previous reader keeps serving.
  const failed = nextEvent(reloadFailedChannel, (event) => event.path === database)
  writeFileSync(database, 'this is not a database')
  const failure = await failed
  t.type(failure.error, Error)
  t.match(failure.error.message, /not a MaxMind DB file/)
  t.equal((await from(app, ADDRESS.US)).json().country, 'FR', 'still the previous database')
  t.match(await health(), { status: 'degraded', detail: { lastReloadError: /not a MaxMind DB file/ } })

  // A valid file that is not a country database is refused too.
  const refused = nextEvent(reloadFailedChannel, (event) => event.path === database)
  writeFileSync(database, asnDatabase())
  t.match((await refused).error.message, /records carry no country/)
  t.equal((await from(app, ADDRESS.US)).json().country, 'FR')

  // Copied over in place: back to the real database.
  const back = nextEvent(reloadedChannel, (event) => event.path === database)
  copyFileSync(REAL_DATABASE, database)
  t.match(await back, { format: 'flat' })
  t.equal((await from(app, ADDRESS.US)).statusCode, 200)
  t.equal((await from(app, ADDRESS.US)).json().country, 'US')
  t.match(await health(), { status: 'healthy' })
  t.notOk('lastReloadError' in ((await health()).detail ?? {}))
})

t.test('a truncated copy (a download cut short) is refused', async (t) => {
  const dir = t.testdir()
  const database = join(dir, 'country.mmdb')
  copyFileSync(REAL_DATABASE, database)
  const app = await build({ ...FAST, database })
  t.teardown(() => app.close())
  await app.ready()
  const failed = nextEvent(reloadFailedChannel, (event) => event.path === database)
  const { readFileSync } = await import('node:fs')
  const bytes = readFileSync(REAL_DATABASE)
  writeFileSync(database, bytes.subarray(0, bytes.length / 2))
  t.type((await failed).error, Error)
  t.equal((await from(app, ADDRESS.GB)).json().country, 'GB')
})

t.test('watch: false never reloads', async (t) => {
  const dir = t.testdir()
  const database = join(dir, 'country.mmdb')
  copyFileSync(REAL_DATABASE, database)
  // Fast settings, so that were `watch: false` ignored, this app would reload before the control.
  const still = await build({ database, watch: false, watchInterval: 20, reloadDelay: 0 })
  // A watching app on the same file, slower to react: once it has reloaded, a watcher in `still`
  // (same polls, no delay) would have too.
  const control = await build({ database, watch: true, watchInterval: 20, reloadDelay: 200 })
  t.teardown(async () => {
    await still.close()
    await control.close()
  })
  await still.ready()
  await control.ready()
  const reloaded = nextEvent(reloadedChannel, (event) => event.path === database)
  writeFileSync(database, geoLite2Country('FR'))
  await reloaded
  t.equal((await from(control, ADDRESS.US)).json().country, 'FR')
  t.equal((await from(still, ADDRESS.US)).json().country, 'US')
})

t.test('a file replaced between register and ready is not missed', async (t) => {
  const dir = t.testdir()
  const database = join(dir, 'country.mmdb')
  copyFileSync(REAL_DATABASE, database)
  const app = await build({ ...FAST, database })
  t.teardown(() => app.close())
  // Opened at register; watched from onReady. The change in between must still be seen.
  const reloaded = nextEvent(reloadedChannel, (event) => event.path === database)
  writeFileSync(database, geoLite2Country('FR'))
  await app.ready()
  await reloaded
  t.equal((await from(app, ADDRESS.US)).json().country, 'FR')
})

t.test('closing the app stops watching', async (t) => {
  const dir = t.testdir()
  const database = join(dir, 'country.mmdb')
  copyFileSync(REAL_DATABASE, database)
  const closed = await build({ ...FAST, database })
  await closed.ready()
  await closed.close()
  const events: string[] = []
  t.teardown(reloadedChannel.subscribe((event) => events.push(event.path)))
  // A second app watching the same file, slower to react, as the control.
  const control = await build({ database, watch: true, watchInterval: 20, reloadDelay: 200 })
  t.teardown(() => control.close())
  await control.ready()
  writeFileSync(database, geoLite2Country('FR'))
  await alive(until(() => events.length > 0, 'a reload'))
  t.equal((await from(control, ADDRESS.US)).json().country, 'FR', 'the control has reloaded')
  // Had the closed app still been watching, it would have reloaded first (20 ms delay against 200).
  t.same(events, [database], 'only the control reloaded')
})

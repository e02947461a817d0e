import { randomBytes } from 'node:crypto'
import t from 'tap'
import { writeResult } from '../src/results.js'
import { buildSuiteApp } from '../src/suite-app.js'

// 10,000 distinct 404 paths (and methods, spellings, clients): every one a problem+json 404 with
// the security headers, and the metrics series stay bounded (a 404 is one route label, not one per
// path), as do the other per-request tables (heap measured before and after).

const PATHS = 10_000

function seriesCount(exposition: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const name = line.slice(0, line.search(/[{ ]/))
    counts.set(name, (counts.get(name) ?? 0) + 1)
  }
  return counts
}

t.test(`${PATHS.toLocaleString('en')} distinct 404 paths`, async (t) => {
  const { app, secrets } = await buildSuiteApp({ sessions: false })
  t.teardown(() => app.close())
  const scrape = async () =>
    seriesCount(
      (
        await app.inject({
          url: '/metrics',
          headers: { host: 'api.example.com', authorization: `Bearer ${secrets.metricsToken}` },
        })
      ).body,
    )
  // One request of each kind first, so the series every request creates exist before counting.
  await app.inject({ url: '/api/test', headers: { host: 'api.example.com' } })
  await app.inject({ url: '/warm-up-404', headers: { host: 'api.example.com' } })
  const before = await scrape()
  global.gc?.()
  const heapBefore = process.memoryUsage().heapUsed

  const started = Date.now()
  let wrong = 0
  const statuses = new Map<number, number>()
  for (let i = 0; i < PATHS; i++) {
    const random = randomBytes(6).toString('hex')
    const url = [`/${random}`, `/api/${random}/x`, `//nope/${random}/`, `/wp-${random}.php?x=${i}`, `/%7e${random}`][
      i % 5
    ] as string
    const response = await app.inject({
      method: i % 7 === 0 ? 'POST' : 'GET',
      url,
      headers: { host: 'api.example.com', 'content-type': 'application/json' },
      ...(i % 7 === 0 ? { payload: '{}' } : {}),
      remoteAddress: `198.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    })
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
    if (
      response.statusCode !== 404 ||
      !/^application\/problem\+json/.test(String(response.headers['content-type'])) ||
      response.headers['x-content-type-options'] === undefined ||
      response.headers['x-request-id'] === undefined
    ) {
      wrong++
    }
  }
  const elapsedMs = Date.now() - started
  const after = await scrape()
  global.gc?.()
  const heapAfter = process.memoryUsage().heapUsed

  const grown: Record<string, number> = {}
  for (const [name, count] of after) {
    const delta = count - (before.get(name) ?? 0)
    if (delta !== 0) grown[name] = delta
  }
  const totalBefore = [...before.values()].reduce((sum, count) => sum + count, 0)
  const totalAfter = [...after.values()].reduce((sum, count) => sum + count, 0)
  writeResult('not-found-flood', {
    paths: PATHS,
    elapsedMs,
    statuses: Object.fromEntries(statuses),
    notProblemOrHeaders: wrong,
    series: { before: totalBefore, after: totalAfter, grownBy: grown },
    heapMb: {
      before: Math.round(heapBefore / 1e5) / 10,
      after: Math.round(heapAfter / 1e5) / 10,
      gcExposed: global.gc !== undefined,
    },
  })
  t.equal(wrong, 0, 'every one a 404 problem+json with the security headers and a request id')
  t.ok(
    totalAfter - totalBefore <= 20,
    `metrics series: ${totalBefore} before, ${totalAfter} after (${JSON.stringify(grown)})`,
  )
})

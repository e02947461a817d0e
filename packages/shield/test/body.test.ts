import t from 'tap'
import { build, collectDetections } from './fixtures/app.js'

const ATTACK = { username: "admin'--", password: 'x' }

t.test('bodies are not inspected unless asked', async (t) => {
  const app = await build({ mode: 'block' })
  const events = collectDetections(t)
  t.equal((await app.inject({ method: 'POST', url: '/api/login', payload: ATTACK })).statusCode, 200)
  t.equal(events.length, 0)
})

t.test('with body: true, string values and keys are inspected, each reported with its path', async (t) => {
  const app = await build({ body: true })
  const events = collectDetections(t)
  const response = await app.inject({
    method: 'POST',
    url: '/api/posts',
    payload: {
      title: 'Hello',
      author: { name: "O'Brien", bio: '<img src=x onerror=alert(1)>' },
      items: [{ note: 'fine' }, { note: '127.0.0.1; cat /etc/passwd' }],
      '../../etc/passwd': 1,
      count: 3,
      ok: true,
      nothing: null,
    },
  })
  t.equal(response.statusCode, 200)
  t.same(
    events.map((event) => [event.rule, event.location, event.field]),
    [
      ['xss-event-handler', 'body', 'author.bio'],
      ['xss-script-api', 'body', 'author.bio'],
      ['path-traversal-file', 'body', 'items[1].note'],
      ['command-injection-chained', 'body', 'items[1].note'],
      ['path-traversal-body', 'body', '../../etc/passwd'],
    ],
  )
})

t.test('block mode refuses the body in preHandler: the handler never runs', async (t) => {
  let handled = 0
  const app = await build({ body: true, mode: 'block' }, (app) => {
    app.post('/api/login', async () => ({ handled: ++handled }))
  })
  const response = await app.inject({ method: 'POST', url: '/api/login', payload: ATTACK })
  t.equal(response.statusCode, 403)
  t.match(response.json(), { code: 'RAMPART_SHIELD_BLOCKED', detail: /sqli detected in the body/ })
  t.equal(handled, 0)
})

t.test('credential fields are inspected but never sampled', async (t) => {
  const app = await build({ body: true })
  const events = collectDetections(t)
  await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { credentials: { user: 'me', pin: "' OR '1'='1" }, apiKey: '<script>x</script>', password: '; id' },
  })
  t.same(
    events.map((event) => [event.field, event.sample]),
    [
      ['credentials.pin', '[redacted]'],
      ['apiKey', '[redacted]'],
      ['password', '[redacted]'],
    ],
  )
})

t.test('depth and count bounds: values past them are not visited', async (t) => {
  const app = await build({ body: true, bodyMaxDepth: 2, bodyMaxValues: 4 })
  const events = collectDetections(t)
  await app.inject({ method: 'POST', url: '/x', payload: { a: { b: { c: "' OR '1'='1" } } } })
  await app.inject({ method: 'POST', url: '/x', payload: [[["' OR '1'='1"]]] })
  t.equal(events.length, 0, 'level 3 is not visited')
  await app.inject({ method: 'POST', url: '/x', payload: { a: { b: "' OR '1'='1" } } })
  t.equal(events.length, 1, 'level 2 is')
  events.length = 0
  await app.inject({ method: 'POST', url: '/x', payload: ['a', 'b', 'c', 'd', '<script>'] })
  t.equal(events.length, 0, 'the fifth string is past bodyMaxValues')
  await app.inject({ method: 'POST', url: '/x', payload: { k1: 'v', k2: '<script>' } })
  t.equal(events.length, 1, 'keys count too: k1, v, k2, <script>')
})

t.test('a route can turn body inspection on (or off) whatever the plugin says', async (t) => {
  const app = await build({ mode: 'block' }, (app) => {
    app.post('/api/posts', { config: { rampart: { shield: { body: true } } } }, async () => 'ok')
    app.post('/api/other', async () => 'ok')
  })
  t.equal((await app.inject({ method: 'POST', url: '/api/posts', payload: ATTACK })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/api/other', payload: ATTACK })).statusCode, 200)
  const inspecting = await build({ mode: 'block', body: true }, (app) => {
    app.post('/api/docs', { config: { rampart: { shield: { body: false } } } }, async () => 'ok')
  })
  t.equal((await inspecting.inject({ method: 'POST', url: '/api/docs', payload: ATTACK })).statusCode, 200)
})

t.test('string bodies are one value; buffers and non-plain objects are skipped', async (t) => {
  const app = await build({ body: true, mode: 'block' }, (app) => {
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => done(null, body))
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    )
    app.addContentTypeParser('application/x-date', { parseAs: 'string' }, (_request, body, done) =>
      done(null, new Date(String(body))),
    )
    app.post('/x', async () => 'ok')
  })
  const post = async (type: string, payload: string) =>
    (await app.inject({ method: 'POST', url: '/x', headers: { 'content-type': type }, payload })).statusCode
  t.equal(await post('text/plain', '<script>alert(1)</script>'), 403)
  t.equal(await post('application/octet-stream', '<script>alert(1)</script>'), 200)
  t.equal(await post('application/x-date', '2024-01-01'), 200)
})

t.test('the body is inspected as the handler sees it, after schema validation', async (t) => {
  const app = await build({ body: true, mode: 'block' }, (app) => {
    app.post(
      '/api/users',
      {
        schema: {
          body: {
            type: 'object',
            properties: { name: { type: 'string' } },
            additionalProperties: false,
          },
        },
      },
      async (request) => request.body,
    )
  })
  const response = await app.inject({
    method: 'POST',
    url: '/api/users',
    payload: { name: "Siobhán O'Brien", extra: '<script>alert(1)</script>' },
  })
  t.equal(response.statusCode, 200, 'the property the schema removes never reaches the handler')
  t.same(response.json(), { name: "Siobhán O'Brien" })
})

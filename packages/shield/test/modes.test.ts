import { Writable } from 'node:stream'
import { refusalChannel } from '@rampart/core'
import t from 'tap'
import { detectedChannel } from '../src/index.js'
import { build, collectDetections } from './fixtures/app.js'

const SQLI = `/search?q=${encodeURIComponent("' OR '1'='1")}`
const XSS = `/search?q=${encodeURIComponent('<script>alert(1)</script>')}`

/** A pino destination that keeps the parsed lines. */
function logLines(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line))
      callback()
    },
  })
  return { stream, lines }
}

t.test('monitor (the default): the request goes through; the rule is logged at warn and emitted', async (t) => {
  const { stream, lines } = logLines()
  let handled = 0
  const app = await build({ logLevel: 'warn' }, (app) => app.get('/search', async () => ({ handled: ++handled })), {
    logger: { level: 'info', stream },
  })
  const events = collectDetections(t)
  const response = await app.inject(SQLI)
  t.equal(response.statusCode, 200)
  t.equal(handled, 1)
  t.same(events, [
    {
      rule: 'sqli-tautology',
      type: 'sqli',
      severity: 'high',
      mode: 'monitor',
      location: 'query',
      sample: "q=' OR '1'='1",
      field: 'q',
    },
  ])
  const warnings = lines.filter((line) => line.level === 40)
  t.equal(warnings.length, 1)
  t.equal(warnings[0]?.msg, '@rampart/shield: suspicious request')
  t.match(warnings[0], { reqId: String, shield: { detections: [{ rule: 'sqli-tautology', mode: 'monitor' }] } })
})

t.test('block: 403 problem+json naming the rule type, never echoing the payload; nothing after runs', async (t) => {
  let handled = 0
  let parsed = 0
  const app = await build({ mode: 'block' }, (app) => {
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
      parsed++
      done(null, body)
    })
    app.all('/search', async () => ({ handled: ++handled }))
  })
  const events = collectDetections(t)
  const response = await app.inject({
    method: 'POST',
    url: SQLI,
    headers: { 'content-type': 'text/plain' },
    payload: 'a body that must not be read',
  })
  t.equal(response.statusCode, 403)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  const problem = response.json()
  t.match(problem, {
    type: 'https://rampart.dev/problems/shield/blocked',
    title: 'Forbidden',
    status: 403,
    code: 'RAMPART_SHIELD_BLOCKED',
    detail: 'The request was refused by the security monitor: sqli detected in the query.',
    requestId: String,
  })
  t.notMatch(response.body, /OR|'1'/, 'the payload is not echoed')
  t.equal(handled, 0)
  t.equal(parsed, 0, 'refused in onRequest, before the body is read')
  t.equal(events[0]?.mode, 'block')
})

t.test('events come before the refusal event, and block names the most severe blocking rule', async (t) => {
  const app = await build({ mode: 'block' })
  const order: string[] = []
  t.teardown(detectedChannel.subscribe((event) => order.push(`${event.rule}:${event.severity}`)))
  t.teardown(refusalChannel.subscribe((event) => order.push(event.code)))
  // xss-script-api (medium) and path-traversal-file (critical) in one value.
  const response = await app.inject(`/x?a=${encodeURIComponent('alert(1)')}&b=${encodeURIComponent('/etc/passwd')}`)
  t.equal(response.statusCode, 403)
  t.same(order, ['xss-script-api:medium', 'path-traversal-file:critical', 'RAMPART_SHIELD_BLOCKED'])
  t.match(response.json().detail, /path-traversal detected in the query/)
})

t.test('per-type and per-id overrides: an id wins over its type; false turns a rule off', async (t) => {
  const app = await build({
    mode: 'monitor',
    rules: {
      sqli: { mode: 'block' },
      'sqli-comment': { mode: 'monitor', severity: 'low' },
      xss: false,
      'xss-script-url': { severity: 'critical' },
    },
  })
  const events = collectDetections(t)
  t.equal((await app.inject(SQLI)).statusCode, 403, 'sqli blocks')
  t.equal((await app.inject(`/x?u=${encodeURIComponent("admin'--")}`)).statusCode, 200, 'sqli-comment monitors')
  t.equal((await app.inject(XSS)).statusCode, 200, 'xss is off')
  t.equal((await app.inject(`/x?u=${encodeURIComponent('javascript:alert(1)')}`)).statusCode, 200)
  t.same(
    events.map((event) => [event.rule, event.mode, event.severity]),
    [
      ['sqli-tautology', 'block', 'high'],
      ['sqli-comment', 'monitor', 'low'],
      ['xss-script-url', 'monitor', 'critical'],
    ],
    'an override object turns a rule back on under a type that is off',
  )
})

t.test('per-route config: false, a route mode, route rules, over the plugin settings', async (t) => {
  const app = await build({ mode: 'block', rules: { xss: { mode: 'monitor' } } }, (app) => {
    app.get('/off', { config: { rampart: { shield: false } } }, async () => 'off')
    app.get('/watch', { config: { rampart: { shield: { mode: 'monitor' } } } }, async () => 'watch')
    app.get('/strict', { config: { rampart: { shield: { rules: { xss: { mode: 'block' } } } } } }, async () => 's')
    app.get('/lenient', { config: { rampart: { shield: { rules: { sqli: false } } } } }, async () => 'l')
    app.get('/plain', async () => 'plain')
  })
  const events = collectDetections(t)
  const status = async (path: string, attack: string) => (await app.inject(path + attack.slice(7))).statusCode
  t.equal(await status('/off', SQLI), 200)
  t.equal(events.length, 0, 'a route with shield: false is not inspected')
  t.equal(await status('/watch', SQLI), 200, 'the route mode wins over the plugin mode')
  t.equal(await status('/plain', SQLI), 403)
  t.equal(await status('/plain', XSS), 200, 'the plugin override keeps xss in monitor')
  t.equal(await status('/strict', XSS), 403, 'a route rule wins over the plugin override')
  t.equal(await status('/lenient', SQLI), 200)
  t.equal(await status('/nowhere', SQLI), 403, 'a 404 gets the plugin settings')
})

t.test('routes registered before the plugin get the plugin settings', async (t) => {
  const Fastify = (await import('fastify')).default
  const { default: rampartShield } = await import('../src/index.js')
  const app = Fastify()
  app.get('/early', { config: { rampart: { shield: { mode: 'monitor' } } } }, async () => 'early')
  await app.register(rampartShield, { mode: 'block', logLevel: 'silent' })
  t.equal((await app.inject(`/early${SQLI.slice(7)}`)).statusCode, 200)
})

t.test('exempt paths are never inspected, matched on the normalised path, segment-aware', async (t) => {
  const app = await build({ mode: 'block', exemptPaths: ['/health', '/static/'] })
  const events = collectDetections(t)
  for (const path of ['/health', '/health/deep', '//health', '/static/app.js']) {
    t.equal((await app.inject(path + SQLI.slice(7))).statusCode, 200, path)
    t.equal((await app.inject({ url: path, headers: { 'user-agent': '' } })).statusCode, 200, `${path} without UA`)
  }
  t.equal(events.length, 0)
  t.equal((await app.inject(`/healthz${SQLI.slice(7)}`)).statusCode, 403, 'not a prefix of /healthz')
})

t.test('one event per rule and phase, however many values match it', async (t) => {
  const app = await build()
  const events = collectDetections(t)
  const value = encodeURIComponent("' OR '1'='1")
  await app.inject(`/x?a=${value}&b=${value}&c=${value}`)
  t.same(
    events.map((event) => [event.rule, event.field]),
    [['sqli-tautology', 'a']],
  )
})

t.test('custom rules run like built-in ones, on "safe" values too', async (t) => {
  const app = await build({
    mode: 'monitor',
    customRules: [
      { id: 'admin-probe', type: 'path-traversal', severity: 'low', pattern: /^\/wp-admin\b/g, locations: ['path'] },
      { id: 'legacy-id', type: 'sqli', pattern: 'id=0x[0-9a-f]+', mode: 'block', locations: ['query'] },
    ],
  })
  const events = collectDetections(t)
  t.equal((await app.inject('/wp-admin/setup.php')).statusCode, 200)
  t.equal((await app.inject('/wp-admin/setup.php')).statusCode, 200, 'the g flag was dropped: it matches again')
  t.equal((await app.inject('/x?id=0xDEAD')).statusCode, 403, "a rule's own mode")
  t.same(
    events.map((event) => [event.rule, event.type, event.severity, event.mode, event.location]),
    [
      ['admin-probe', 'path-traversal', 'low', 'monitor', 'path'],
      ['admin-probe', 'path-traversal', 'low', 'monitor', 'path'],
      ['legacy-id', 'sqli', 'medium', 'block', 'query'],
    ],
  )
  const overridden = await build({
    customRules: [{ id: 'legacy-id', type: 'sqli', pattern: 'id=0x', mode: 'block' }],
    rules: { 'legacy-id': { mode: 'monitor' } },
  })
  t.equal((await overridden.inject('/x?id=0x1')).statusCode, 200, 'the plugin override wins over the rule mode')
})

t.test('samples are truncated, control characters escaped; sensitive query values are redacted', async (t) => {
  const app = await build({ sampleLength: 24 })
  const events = collectDetections(t)
  await app.inject(`/x?q=${encodeURIComponent(`${'x'.repeat(40)}\r\n; cat /etc/passwd ${'y'.repeat(40)}`)}`)
  await app.inject(`/x?access_token=${encodeURIComponent("' OR '1'='1")}`)
  const [chained, redacted] = [events.find((e) => e.rule === 'command-injection-chained'), events.at(-1)]
  t.ok(chained !== undefined && chained.sample.length <= 24, String(chained?.sample))
  t.notMatch(chained?.sample ?? '', /[\r\n]/)
  t.match(chained?.sample, /\\x0d\\x0a/)
  t.match(redacted, { rule: 'sqli-tautology', field: 'access_token', sample: '[redacted]' })
})

t.test('logLevel silent logs nothing; the events are still published', async (t) => {
  const { stream, lines } = logLines()
  const app = await build({ logLevel: 'silent' }, undefined, { logger: { level: 'info', stream } })
  const events = collectDetections(t)
  await app.inject(SQLI)
  t.equal(lines.filter((line) => (line.level as number) >= 40).length, 0)
  t.equal(events.length, 1)
})

t.test('logLevel error logs a block at error, with the refusal message', async (t) => {
  const { stream, lines } = logLines()
  const app = await build({ logLevel: 'error', mode: 'block' }, undefined, { logger: { level: 'info', stream } })
  await app.inject(SQLI)
  t.match(
    lines.filter((line) => line.level === 50),
    [{ msg: '@rampart/shield: request refused', shield: { detections: [{ mode: 'block' }] } }],
  )
})

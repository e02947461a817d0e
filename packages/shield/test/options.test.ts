import Fastify from 'fastify'
import t from 'tap'
import rampartShield, { DEFAULTS, resolveOptions } from '../src/index.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ mode: 'deny' }, /option "mode" must be one of "monitor", "block" \(got "deny"\)/],
    [{ mod: 'block' }, /option "mod" is not a known option/],
    [{ rules: { sqlinjection: false } }, /option "rules.sqlinjection" is not a known option/],
    [{ rules: { sqli: true } }, /option "rules.sqli" must be an object/],
    [{ rules: { sqli: { mode: 'deny' } } }, /option "rules.sqli.mode" must be one of/],
    [
      { rules: { xss: { severity: 'urgent' } } },
      /option "rules.xss.severity" must be one of "low", "medium", "high", "critical"/,
    ],
    [{ rules: { xss: { level: 'high' } } }, /option "rules.xss.level" is not a known option/],
    [{ rules: { 'slow-request': { mode: 'block' } } }, /option "rules.slow-request.mode" cannot be "block"/],
    [{ headers: ['user agent'] }, /option "headers\[0\]" must be a header name/],
    [{ headers: 'referer' }, /option "headers" must be an array of strings/],
    [{ exemptPaths: [''] }, /option "exemptPaths\[0\]" must be a non-empty string/],
    [{ body: 'yes' }, /option "body" must be true or false/],
    [{ bodyMaxDepth: 0 }, /option "bodyMaxDepth" must be >= 1/],
    [{ bodyMaxDepth: 65 }, /option "bodyMaxDepth" must be <= 64/],
    [{ bodyMaxValues: 1.5 }, /option "bodyMaxValues" must be an integer/],
    [{ maxValueLength: 8 }, /option "maxValueLength" must be >= 16/],
    [{ sampleLength: 4 }, /option "sampleLength" must be >= 8/],
    [{ userAgentMaxLength: 0 }, /option "userAgentMaxLength" must be >= 1/],
    [{ slowRequestMs: -1 }, /option "slowRequestMs" must be >= 0/],
    [{ slowRequestMs: Number.NaN }, /option "slowRequestMs" must be a finite number/],
    [{ logLevel: 'debug' }, /option "logLevel" must be one of "error", "warn", "info", "silent"/],
    [{ now: 5 }, /option "now" must be a function/],
    [{ customRules: {} }, /option "customRules" must be an array of rules/],
    [{ customRules: [{ id: 'x', type: 'sqli' }] }, /option "customRules\[0\].pattern" must be a string/],
    [{ customRules: [{ id: 'x', type: 'ldap', pattern: 'a' }] }, /option "customRules\[0\].type" must be one of/],
    [{ customRules: [{ id: 'Bad Id', type: 'sqli', pattern: 'a' }] }, /option "customRules\[0\].id" must match/],
    [{ customRules: [{ id: 'sqli', type: 'sqli', pattern: 'a' }] }, /option "customRules\[0\].id" is already the id/],
    [{ customRules: [{ id: 'sqli-tautology', type: 'sqli', pattern: 'a' }] }, /is already the id of a rule/],
    [
      {
        customRules: [
          { id: 'a', type: 'sqli', pattern: 'a' },
          { id: 'a', type: 'xss', pattern: 'b' },
        ],
      },
      /option "customRules\[1\].id" is already the id/,
    ],
    [
      { customRules: [{ id: 'x', type: 'xss', pattern: '(' }] },
      /option "customRules\[0\].pattern" is not a valid regular expression/,
    ],
    [
      { customRules: [{ id: 'x', type: 'xss', pattern: 'a', locations: ['cookie'] }] },
      /locations\[0\]" must be one of/,
    ],
    [
      { customRules: [{ id: 'x', type: 'xss', pattern: 'a', locations: [] }] },
      /locations" must name at least one location/,
    ],
    [
      { customRules: [{ id: 'x', type: 'xss', pattern: 'a', colour: 1 }] },
      /option "customRules\[0\].colour" is not a known option/,
    ],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartShield, options as any)
    await t.rejects(
      async () => app.ready(),
      { code: 'RAMPART_SHIELD_INVALID_OPTION', message },
      JSON.stringify(options),
    )
  }
})

t.test('a route with bad shield config fails at route registration, naming the route', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ mode: 'off' }, /config.rampart.shield \(route GET \/x\).mode" must be one of/],
    [{ rules: { nope: false } }, /config.rampart.shield \(route GET \/x\).rules.nope" is not a known option/],
    [{ body: 1 }, /\.body" must be true or false/],
    [{ bodies: true }, /\.bodies" is not a known option/],
    [true, /config.rampart.shield \(route GET \/x\)" must be an object/],
  ]
  for (const [config, message] of cases) {
    const app = Fastify()
    await app.register(rampartShield)
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong config
    t.throws(() => app.get('/x', { config: { rampart: { shield: config as any } } }, async () => 'x'), {
      code: 'RAMPART_SHIELD_INVALID_OPTION',
      message,
    })
  }
})

t.test('defaults: monitor mode, the seed thresholds, three headers, bodies off', async (t) => {
  const resolved = resolveOptions()
  t.equal(resolved.mode, 'monitor')
  t.equal(resolved.userAgentMaxLength, 500)
  t.equal(resolved.slowRequestMs, 10_000)
  t.same(resolved.headers, ['user-agent', 'referer', 'x-forwarded-host'])
  t.equal(resolved.body, false)
  t.same(resolved, DEFAULTS)
  t.ok(Object.isFrozen(resolved))
})

t.test('header names are lower-cased and deduplicated; a custom rule is compiled once, without g/y', async (t) => {
  const resolved = resolveOptions({
    headers: ['Referer', 'referer', 'X-Original-URL'],
    customRules: [
      { id: 'a', type: 'sqli', pattern: /admin/gy },
      { id: 'b', type: 'xss', pattern: 'evil', locations: ['query', 'query'] },
    ],
  })
  t.same(resolved.headers, ['referer', 'x-original-url'])
  t.equal(resolved.customRules[0]?.pattern.flags, '')
  t.equal(resolved.customRules[1]?.pattern.flags, 'i')
  t.same(resolved.customRules[1]?.locations, ['query'])
  t.same(resolved.customRules[0]?.locations, ['path', 'query', 'header', 'body'])
  t.equal(resolved.customRules[0]?.severity, 'medium')
})

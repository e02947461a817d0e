import Fastify from 'fastify'
import t from 'tap'
import rampartAlerts, { DEFAULT_RULES, resolveOptions, WEBHOOK_DEFAULTS } from '../src/index.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ windowMs: 999 }, /option "windowMs" must be >= 1000 \(got 999\)/],
    [{ windowMs: 1.5e3 + 0.5 }, /option "windowMs" must be an integer/],
    [{ cooldownMs: -1 }, /option "cooldownMs" must be >= 0/],
    [{ buckets: 0 }, /option "buckets" must be >= 1/],
    [{ log: 'yes' }, /option "log" must be true or false/],
    [{ defaultRules: 1 }, /option "defaultRules" must be true or false/],
    [{ onAlert: 'slack' }, /option "onAlert" must be a function/],
    [{ now: 42 }, /option "now" must be a function/],
    [{ closeTimeoutMs: 700_000 }, /option "closeTimeoutMs" must be <= 600000/],
    [{ rule: {} }, /option "rule" is not a known option/],
    [{ rules: [] }, /option "rules" must be an object/],
    [{ rules: { 'rate-limit': 5 } }, /option "rules.rate-limit" must be an object/],
    [{ rules: { 'rate-limit': { threshold: 0 } } }, /option "rules.rate-limit.threshold" must be >= 1/],
    [{ rules: { 'rate-limit': { treshold: 5 } } }, /option "rules.rate-limit.treshold" is not a known option/],
    [
      { rules: { 'rate-limit': { severity: 'fatal' } } },
      /option "rules.rate-limit.severity" must be one of "critical"/,
    ],
    [{ rules: { 'rate-limit': { windowMs: 10 } } }, /option "rules.rate-limit.windowMs" must be >= 1000/],
    [{ buckets: 1001 }, /option "buckets" must be <= 1000/],
    [{ rules: { 'rate-limit': { match: true } } }, /option "rules.rate-limit.match" must be a function/],
    [{ rules: { 'rate-limit': { code: 'x' } } }, /option "rules.rate-limit.code" must be a function/],
    [{ rules: { 'rate-limit': { title: 'a\nb' } } }, /option "rules.rate-limit.title" must match/],
    [
      { rules: { mine: { threshold: 3 } } },
      /option "rules.mine.channel" is required for a rule that is not a default one/,
    ],
    [{ rules: { mine: { channel: '' } } }, /option "rules.mine.channel" must not be empty/],
    [{ rules: { 'has space': { channel: 'x' } } }, /option "rules.has space" must be named by letters/],
    [{ webhook: 42 }, /option "webhook" must be an object/],
    [{ webhook: {} }, /option "webhook.url" must be an http: or https: URL string/],
    [{ webhook: 'not a url' }, /option "webhook.url" must be an absolute http: or https: URL$/],
    [
      { webhook: 'ftp://hooks.example/secret' },
      /option "webhook.url" must be an http: or https: URL \(got a ftp: URL\)/,
    ],
    [{ webhook: 'https://user:pw@hooks.example/x' }, /option "webhook.url" must not carry credentials/],
    [{ webhook: { url: 'https://h.example', timeoutMs: 0 } }, /option "webhook.timeoutMs" must be >= 1/],
    [{ webhook: { url: 'https://h.example', retries: 21 } }, /option "webhook.retries" must be <= 20/],
    [{ webhook: { url: 'https://h.example', queueSize: 0 } }, /option "webhook.queueSize" must be >= 1/],
    [
      { webhook: { url: 'https://h.example', backoffMs: 100, maxBackoffMs: 50 } },
      /"webhook.maxBackoffMs" must be >= 100/,
    ],
    [{ webhook: { url: 'https://h.example', header: {} } }, /option "webhook.header" is not a known option/],
    [
      { webhook: { url: 'https://h.example', headers: { 'bad name': 'x' } } },
      /"webhook.headers.bad name" is not a valid/,
    ],
    [
      { webhook: { url: 'https://h.example', headers: { a: 'x\r\ny' } } },
      /"webhook.headers.a" must be a string without/,
    ],
    [
      { webhook: { url: 'https://h.example', headers: { 'Content-Type': 'text/plain' } } },
      /is always application\/json/,
    ],
    [{ webhook: { url: 'https://h.example', format: {} } }, /option "webhook.format" must be a function/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartAlerts, options as any)
    await t.rejects(
      async () => app.ready(),
      { code: 'RAMPART_ALERTS_INVALID_OPTION', message },
      JSON.stringify(options),
    )
  }
})

t.test('errors never echo the webhook URL or a header value: both are secrets', async (t) => {
  const secrets = [
    { webhook: 'ftp://hooks.example/services/SECRET' },
    { webhook: 'https://user:SECRET@hooks.example/' },
    { webhook: 'SECRET' },
    { webhook: { url: 'https://h.example', headers: { authorization: 'Bearer SECRET\n' } } },
  ]
  for (const options of secrets) {
    let message = ''
    try {
      resolveOptions(options)
    } catch (error) {
      message = (error as Error).message
    }
    t.match(message, /^@rampart\/alerts: option "webhook/)
    t.notMatch(message, /SECRET/)
  }
})

t.test('defaults', async (t) => {
  const settings = resolveOptions()
  t.same(
    settings.rules.map((rule) => rule.type),
    Object.keys(DEFAULT_RULES),
  )
  t.ok(settings.rules.every((rule) => rule.windowMs === 300_000 && rule.cooldownMs === 300_000))
  t.equal(settings.log, true)
  t.equal(settings.webhook, undefined)
  t.equal(settings.onAlert, undefined)
  t.equal(settings.buckets, 60)
  t.equal(settings.closeTimeoutMs, 5000)
  t.ok(Object.isFrozen(settings) && Object.isFrozen(settings.rules) && Object.isFrozen(settings.rules[0]))

  const webhook = resolveOptions({ webhook: 'https://hooks.slack.com/services/T/B/X' }).webhook!
  t.equal(webhook.url.href, 'https://hooks.slack.com/services/T/B/X')
  t.match(webhook, WEBHOOK_DEFAULTS)
  t.same(WEBHOOK_DEFAULTS, { timeoutMs: 2000, retries: 3, backoffMs: 500, maxBackoffMs: 30_000, queueSize: 100 })
  t.equal(resolveOptions({ webhook: false }).webhook, undefined)
})

t.test('windowMs and cooldownMs are the defaults of rules that name none', async (t) => {
  const settings = resolveOptions({
    windowMs: 60_000,
    cooldownMs: 1000,
    rules: { 'rate-limit': { windowMs: 120_000 }, mine: { channel: 'x:y:z' } },
  })
  const byType = Object.fromEntries(settings.rules.map((rule) => [rule.type, rule]))
  t.match(byType['rate-limit'], { windowMs: 120_000, cooldownMs: 1000, threshold: 100 })
  t.match(byType['auth-failures'], { windowMs: 60_000, cooldownMs: 1000 })
  t.match(byType.mine, { windowMs: 60_000, cooldownMs: 1000, threshold: 1, severity: 'error', title: 'mine' })
  t.equal(byType.mine!.match, undefined, 'a new rule counts every message of its channel')
})

t.test('defaultRules: false keeps only the rules given', async (t) => {
  const settings = resolveOptions({ defaultRules: false, rules: { 'store-down': {}, mine: { channel: 'a' } } })
  t.same(
    settings.rules.map((rule) => rule.type),
    ['store-down', 'mine'],
  )
  t.equal(settings.rules[0]!.threshold, 1, 'a default rule named keeps its defaults')
  t.same(resolveOptions({ defaultRules: false }).rules, [])
})
